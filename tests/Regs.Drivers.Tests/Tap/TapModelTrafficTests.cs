using System;
using Regs.Drivers.Igb;
using Regs.Drivers.Virtio;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime.Models;
using Regs.Tap;
using Regs.Testing.NicKinds;
using Regs.Virtio;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Drivers.Tests.Tap;

using IgbOnModel = IgbNic<ModelAccess, ModelHost>;
using VirtioOnModel = VirtioNet<ModelAccess, VirtioPciTransport<ModelAccess>, ModelHost>;

/// <summary>
/// The Linux stack on both ends of our drivers: two in-process device models cabled back to back,
/// each driven by its Regs driver and bridged to a TAP interface in a network namespace of its own.
/// Ping goes both ways and TCP moves 4 MiB each way, compared by SHA-256: every byte went
/// kernel -> TAP -> bridge -> driver -> model -> cable -> model -> driver -> bridge -> TAP -> kernel.
/// </summary>
[Trait("Category", "Traffic")]
public sealed class TapModelTrafficTests
{
    private const int TransferBytes = 4 << 20;
    private readonly ITestOutputHelper _output;

    public TapModelTrafficTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(NicKind.Igb, NicKind.Igb, false, false)]
    [InlineData(NicKind.Igb, NicKind.Igb, true, false)]
    [InlineData(NicKind.Igb, NicKind.Igb, true, true)]
    [InlineData(NicKind.VirtioPci, NicKind.VirtioPci, false, false)]
    [InlineData(NicKind.VirtioPci, NicKind.VirtioPci, true, false)]
    [InlineData(NicKind.VirtioPci, NicKind.VirtioPci, true, true)]
    [InlineData(NicKind.Igb, NicKind.VirtioPci, false, false)]
    public void Two_linux_stacks_ping_and_move_tcp_data_through_the_drivers_and_models(NicKind kindA, NicKind kindB, bool interrupts, bool combinedWait)
    {
        using var lab = new TapLab();
        var network = new ModelNetwork();
        DeviceModel modelA = lab.Own(NicModels.Create(kindA, network, 0, SlirpNetwork.NicMac(0)));
        DeviceModel modelB = lab.Own(NicModels.Create(kindB, network, 1, SlirpNetwork.NicMac(1)));
        network.Connect(modelA, modelB);
        // combinedWait: the bridge sleeps in one poll() on the tap and the model's interrupt eventfd
        // (as on VFIO), after the driver's ArmInterrupt; otherwise in the driver's WaitForReceive.
        TapBridgeOptions OptionsFor(DeviceModel model) => new()
        {
            Interrupts = interrupts,
            InterruptDescriptors = combinedWait ? new[] { model.InterruptEventDescriptor } : Array.Empty<int>(),
        };
        // Each NIC's concrete driver type, so the bridge calls it directly (no boxing through INic).
        var (countersA, nicA) = Start(lab, kindA, modelA, "a", TapLab.AddressA, OptionsFor(modelA));
        var (countersB, nicB) = Start(lab, kindB, modelB, "b", TapLab.AddressB, OptionsFor(modelB));

        _output.WriteLine(lab.Ping(lab.NamespaceA, TapLab.AddressB, 3));
        _output.WriteLine(lab.Ping(lab.NamespaceB, TapLab.AddressA, 3));

        byte[] up = TapLab.Payload(TransferBytes, 15), down = TapLab.Payload(TransferBytes, 16);
        var (receivedUp, upTime) = lab.Transfer(lab.NamespaceA, lab.NamespaceB, TapLab.AddressB, up, 5001);
        Assert.Equal(up.Length, receivedUp.Length);
        Assert.Equal(TapLab.Sha256(up), TapLab.Sha256(receivedUp));
        var (receivedDown, downTime) = lab.Transfer(lab.NamespaceB, lab.NamespaceA, TapLab.AddressA, down, 5002);
        Assert.Equal(down.Length, receivedDown.Length);
        Assert.Equal(TapLab.Sha256(down), TapLab.Sha256(receivedDown));

        lab.StopBridges();
        TapBridgeCounters a = countersA(), b = countersB();
        NicStats na = nicA(), nb = nicB();
        _output.WriteLine($"A->B {TransferBytes / upTime.TotalSeconds / 1e6:F1} MB/s, B->A {TransferBytes / downTime.TotalSeconds / 1e6:F1} MB/s");
        _output.WriteLine($"A ({kindA}): {a}");
        _output.WriteLine($"B ({kindB}): {b}");
        _output.WriteLine($"NIC A: tx {na.TxFrames} rejected {na.TxRejected} rx {na.RxFrames} missed {na.RxMissed}; NIC B: tx {nb.TxFrames} rejected {nb.TxRejected} rx {nb.RxFrames} missed {nb.RxMissed}");
        foreach (TapBridgeCounters c in new[] { a, b })
        {
            // Each station sent at least its 4 MiB (plus headers) into its NIC and got the other's out of it.
            Assert.True(c.TapToNicBytes > TransferBytes && c.NicToTapBytes > TransferBytes, c.ToString());
            Assert.Equal(0ul, c.Drops);
            Assert.Equal(0ul, c.TapReadErrors);
            Assert.Equal(0ul, c.SoftwareChecksums);   // no offloads asked of the kernel, so none handed over
            // The combined wait was the idle path (and only then); the NICs' interrupts woke it.
            if (combinedWait) Assert.True(c.CombinedWaits > 0, c.ToString());
            else Assert.Equal(0ul, c.CombinedWaits);
        }
        if (interrupts)
        {
            Assert.True(na.Interrupts > 0, $"NIC A took no interrupt: {na.Interrupts}");
            Assert.True(nb.Interrupts > 0, $"NIC B took no interrupt: {nb.Interrupts}");
        }
        // The bridge wrote every frame its NIC received to its interface, and every frame it read
        // from the interface went to its NIC: what reached the cable is what the bridge sent, less
        // at most a ring of frames queued but not yet transmitted when the pumps stopped.
        Assert.Equal(na.RxFrames, a.NicToTapFrames);
        Assert.Equal(nb.RxFrames, b.NicToTapFrames);
        int wireA = 0, wireB = 0;
        foreach (var (from, _) in network.Captured)
            if (from == modelA) wireA++; else wireB++;
        _output.WriteLine($"on the cable: {wireA} frames from A, {wireB} from B; received by B's driver {nb.RxFrames}, by A's {na.RxFrames} "
            + "(the rest the receiving model dropped while its ring was empty: TCP retransmitted them)");
        Assert.InRange((ulong)wireA, a.TapToNicFrames - Math.Min(a.TapToNicFrames, 256ul), a.TapToNicFrames);
        Assert.InRange((ulong)wireB, b.TapToNicFrames - Math.Min(b.TapToNicFrames, 256ul), b.TapToNicFrames);
    }

    [Fact]
    public void With_igb_offloads_the_kernel_hands_checksums_and_tcp_trains_to_the_nic_and_the_cable_carries_correct_segments()
    {
        const NicOffloads offloads = NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4 | NicOffloads.TxTcpSegmentationV6 | NicOffloads.RxChecksum;
        using var lab = new TapLab();
        var network = new ModelNetwork();
        DeviceModel modelA = lab.Own(NicModels.Create(NicKind.Igb, network, 0, SlirpNetwork.NicMac(0)));
        DeviceModel modelB = lab.Own(NicModels.Create(NicKind.Igb, network, 1, SlirpNetwork.NicMac(1)));
        network.Connect(modelA, modelB);
        var options = new TapBridgeOptions();
        var (countersA, nicA) = Start(lab, NicKind.Igb, modelA, "a", TapLab.AddressA, options, offloads);
        var (countersB, nicB) = Start(lab, NicKind.Igb, modelB, "b", TapLab.AddressB, options, offloads);

        _output.WriteLine(lab.Ping(lab.NamespaceA, TapLab.AddressB, 2));
        byte[] up = TapLab.Payload(TransferBytes, 25), down = TapLab.Payload(TransferBytes, 26);
        var (receivedUp, upTime) = lab.Transfer(lab.NamespaceA, lab.NamespaceB, TapLab.AddressB, up, 5011);
        Assert.Equal(TapLab.Sha256(up), TapLab.Sha256(receivedUp));
        var (receivedDown, downTime) = lab.Transfer(lab.NamespaceB, lab.NamespaceA, TapLab.AddressA, down, 5012);
        Assert.Equal(TapLab.Sha256(down), TapLab.Sha256(receivedDown));

        lab.StopBridges();
        TapBridgeCounters a = countersA(), b = countersB();
        _output.WriteLine($"A->B {TransferBytes / upTime.TotalSeconds / 1e6:F1} MB/s, B->A {TransferBytes / downTime.TotalSeconds / 1e6:F1} MB/s");
        _output.WriteLine($"A: {a}");
        _output.WriteLine($"B: {b}");
        foreach (TapBridgeCounters c in new[] { a, b })
        {
            // The kernel left checksums and segmentation to the NIC, and the bridge passed them on
            // as metadata: nothing was completed in software, nothing refused or dropped.
            Assert.True(c.OffloadedToNic >= TransferBytes / 65536, c.ToString());
            Assert.True(c.SegmentationTrains > 0, c.ToString());
            Assert.Equal(0ul, c.SoftwareChecksums);
            Assert.Equal(0ul, c.Drops);
        }
        // On the cable (after the igb model's segmentation): no frame longer than the MTU allows,
        // and every IPv4 header and TCP checksum right, computed here independently.
        int verified = 0;
        foreach (var (_, frame) in network.Captured)
        {
            Assert.InRange(frame.Length, 14, 1518);
            if (frame.Length < 34 || frame[12] != 0x08 || frame[13] != 0x00) continue;
            int ihl = (frame[14] & 0xF) * 4;
            Assert.Equal(0xFFFF, Fold(Sum(frame.AsSpan(14, ihl), 0)));
            if (frame[23] != 6) continue;
            int total = frame[16] << 8 | frame[17];
            int tcpLength = total - ihl;
            uint pseudo = Sum(frame.AsSpan(26, 8), 0) + 6u + (uint)tcpLength;
            Assert.True(Fold(Sum(frame.AsSpan(14 + ihl, tcpLength), pseudo)) == 0xFFFF, $"bad TCP checksum in a {frame.Length}-byte frame on the cable");
            verified++;
        }
        Assert.True(verified >= 2 * TransferBytes / 1500, $"only {verified} TCP frames verified on the cable");
        NicStats na = nicA(), nb = nicB();
        _output.WriteLine($"NIC A: tx {na.TxFrames} rx {na.RxFrames}; NIC B: tx {nb.TxFrames} rx {nb.RxFrames}; {verified} TCP segments verified on the cable");
    }

    // RFC 1071: one's-complement sum of 16-bit big-endian words.
    private static uint Sum(ReadOnlySpan<byte> data, uint sum)
    {
        for (int i = 0; i < data.Length; i += 2) sum += (uint)(data[i] << 8 | (i + 1 < data.Length ? data[i + 1] : 0));
        return sum;
    }

    private static int Fold(uint sum)
    {
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (int)sum;
    }

    private static (Func<TapBridgeCounters> Counters, Func<NicStats> Nic) Start(TapLab lab, NicKind kind, DeviceModel model, string name, string address, TapBridgeOptions options, NicOffloads offloads = NicOffloads.None)
    {
        var host = new ModelHost(model, name);
        switch (kind)
        {
            case NicKind.Igb:
            {
                NicStatus status = IgbOnModel.Initialise(host, new IgbOptions { InterruptMode = options.Interrupts, Offloads = offloads }, out IgbOnModel igb);
                Assert.Equal(NicStatus.Ok, status);
                Assert.Equal(offloads, igb.Offloads);
                NicTapBridge<IgbOnModel> bridge = lab.Station(igb, address, options);
                return (() => bridge.Counters, () => bridge.Nic.Stats());
            }
            case NicKind.VirtioPci:
            {
                NicStatus status = VirtioPciTransport<ModelAccess>.TryOpen(ref host, VirtioDeviceType.Network, out var transport);
                Assert.Equal(NicStatus.Ok, status);
                status = VirtioOnModel.Initialise(transport, host, new VirtioNetOptions { InterruptMode = options.Interrupts }, out VirtioOnModel net);
                Assert.Equal(NicStatus.Ok, status);
                NicTapBridge<VirtioOnModel> bridge = lab.Station(net, address, options);
                return (() => bridge.Counters, () => bridge.Nic.Stats());
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "the TAP tests bridge igb and virtio-net-pci");
        }
    }
}
