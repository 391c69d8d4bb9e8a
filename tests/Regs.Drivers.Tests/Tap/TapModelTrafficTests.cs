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

    private static (Func<TapBridgeCounters> Counters, Func<NicStats> Nic) Start(TapLab lab, NicKind kind, DeviceModel model, string name, string address, TapBridgeOptions options)
    {
        var host = new ModelHost(model, name);
        switch (kind)
        {
            case NicKind.Igb:
            {
                NicStatus status = IgbOnModel.Initialise(host, new IgbOptions { InterruptMode = options.Interrupts }, out IgbOnModel igb);
                Assert.Equal(NicStatus.Ok, status);
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
