using System;
using System.Linq;
using Regs.Drivers.Igb;
using Regs.Drivers.Virtio;
using Regs.Net;
using Regs.Nic;
using Regs.Testing.NicKinds;
using Regs.Testing.Traffic;
using Regs.Virtio;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Drivers.Tests;

/// <summary>
/// The suite every backend runs for every NIC kind: bring-up, the gateway exchange with a
/// byte-exact capture check, two NICs talking in polling and interrupt modes, link changes.
/// Subclasses say which backend (and carry the test category).
/// </summary>
public abstract class NicSuite
{
    private readonly ITestOutputHelper? _output;

    /// <summary>A suite that writes nothing to the test output.</summary>
    protected NicSuite() { }

    /// <summary>A suite that writes its figures (link flap results) to <paramref name="output"/>.</summary>
    protected NicSuite(ITestOutputHelper output) => _output = output;

    /// <summary>A bench of <paramref name="kind"/> NICs wired as asked.</summary>
    protected abstract INicBench Start(NicKind kind, Wiring wiring, string name);

    /// <summary>Whether frames between two NICs arrive in the order sent (the backend's wire, not the drivers, decides).</summary>
    protected abstract bool WireKeepsOrder { get; }

    /// <summary>Every NIC kind.</summary>
    public static TheoryData<NicKind> Kinds => new() { NicKind.Igb, NicKind.VirtioPci, NicKind.VirtioMmio, NicKind.VirtioMmioLegacy };

    /// <summary>Every NIC kind in polling and interrupt mode.</summary>
    public static TheoryData<NicKind, bool> KindsAndModes
    {
        get
        {
            var data = new TheoryData<NicKind, bool>();
            foreach (NicKind kind in Enum.GetValues<NicKind>()) { data.Add(kind, false); data.Add(kind, true); }
            return data;
        }
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Initialises_with_the_given_mac_and_brings_the_link_up(NicKind kind)
    {
        using var bench = Start(kind, Wiring.Gateway, $"init-{kind}");
        INic nic = bench.Open(0, interrupts: false);
        Assert.Equal(bench.ExpectedMac(0), nic.Mac.Bits);
        NicScenarios.WaitForLink(ref nic, up: true);
        Assert.Equal(NicStatus.Ok, nic.LastError);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Resolves_and_pings_the_gateway_and_the_wire_carries_exactly_what_was_sent(NicKind kind)
    {
        using var bench = Start(kind, Wiring.Gateway, $"gw-{kind}");
        INic nic = bench.Open(0, interrupts: false);
        NicScenarios.WaitForLink(ref nic, up: true);
        var sent = NicScenarios.ArpAndPingGateway(ref nic);

        var onWire = bench.Transmitted(0);
        Assert.Equal(sent.Count, onWire.Count);
        for (int i = 0; i < sent.Count; i++) Assert.Equal(sent[i], onWire[i]);
        NicStats stats = nic.Stats();
        Assert.True(stats.RxFrames >= 2, $"received {stats.RxFrames} frames");
        Assert.Equal(0ul, stats.ProtocolErrors);
    }

    [Theory, MemberData(nameof(KindsAndModes))]
    public void Two_nics_exchange_arp_icmp_and_bursts_without_loss_or_duplicates(NicKind kind, bool interrupts)
    {
        using var bench = Start(kind, Wiring.BackToBack, $"pair-{kind}-{interrupts}");
        INic a = bench.Open(0, interrupts);
        INic b = bench.Open(1, interrupts);
        NicScenarios.WaitForLink(ref a, up: true);
        NicScenarios.WaitForLink(ref b, up: true);

        NicScenarios.ArpAndPingBetween(ref a, 0x0A000001, ref b, 0x0A000002);
        var traffic = NicScenarios.Traffic(a, b, WireKeepsOrder);
        SentFrames burst = traffic.Burst(0, 300, 32);
        traffic.Burst(1, 50, 1);

        var onWire = bench.Transmitted(0).Where(f => EtherType.Of(f) == traffic.EtherType).ToList();
        Assert.Equal(burst.Count, onWire.Count);
        for (int i = 0; i < burst.Count; i++) Assert.Equal(burst.Frame(i), onWire[i]);
        Assert.Equal(0ul, a.Stats().ProtocolErrors);
        Assert.Equal(0ul, b.Stats().ProtocolErrors);
    }

    /// <summary>
    /// INic.Send's contract, the same for every driver: it consumes frames from the front, a
    /// consumed frame is either queued or rejected (empty, or longer than MaxFrameLength; counted
    /// in TxRejected), and no length a caller puts in the batch makes it throw.
    /// </summary>
    [Theory, MemberData(nameof(Kinds))]
    public void Send_consumes_from_the_front_and_rejects_empty_and_overlong_frames_without_throwing(NicKind kind)
    {
        using var bench = Start(kind, Wiring.BackToBack, $"send-{kind}");
        INic a = bench.Open(0, interrupts: false);
        INic b = bench.Open(1, interrupts: false);
        NicScenarios.WaitForLink(ref a, up: true);
        NicScenarios.WaitForLink(ref b, up: true);
        Assert.InRange(a.MaxFrameLength, 1514, FrameBatch.SlotSize);

        // Frames: empty, a short frame, one spanning two slots (longer than MaxFrameLength), a frame
        // of exactly MaxFrameLength, one byte more than that, another short frame. The longest frames carry an 802.1Q tag: untagged,
        // MaxFrameLength would exceed the MTU and a receiver rightly drops it (igb without
        // RCTL.LPE takes 1514 bytes untagged, 1518 tagged).
        byte[] data = new byte[8 * FrameBatch.SlotSize];
        var batch = new FrameBatch(data, new FrameEntry[6]);
        var expected = new byte[6][];
        int[] sendLengths = { 0, 60, FrameBatch.SlotSize + 1000, a.MaxFrameLength, a.MaxFrameLength + 1, 61 };
        bool[] valid = { false, true, false, true, false, true };
        for (int i = 0; i < sendLengths.Length; i++)
        {
            Span<byte> slot = batch.Free().Slice(0, Math.Max(sendLengths[i], 64));
            b.Mac.CopyTo(slot);
            a.Mac.CopyTo(slot.Slice(6));
            for (int j = 12; j < slot.Length; j++) slot[j] = (byte)(i * 7 + j);
            int type = 12;
            if (sendLengths[i] >= a.MaxFrameLength)
            {
                slot[12] = 0x81; slot[13] = 0x00;    // 802.1Q TPID
                slot[14] = 0x00; slot[15] = 0x05;    // priority 0, VLAN 5
                type = 16;
            }
            slot[type] = EtherType.LocalExperimental1 >> 8;
            slot[type + 1] = EtherType.LocalExperimental1 & 0xFF;
            slot[18] = (byte)i;
            Assert.Equal(i, batch.Commit(sendLengths[i]));
            expected[i] = batch.Frame(i).ToArray();
        }
        ulong rejectedBefore = a.Stats().TxRejected;

        Assert.Equal(sendLengths.Length, a.Send(batch));
        Assert.Equal(NicStatus.Ok, a.LastError);
        Assert.Equal(rejectedBefore + 3, a.Stats().TxRejected);

        // Exactly the valid frames arrive, whole.
        var arrived = new System.Collections.Generic.List<int>();
        var rx = new FrameBatch(new byte[8 * FrameBatch.SlotSize], new FrameEntry[8]);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (arrived.Count < 3 && DateTime.UtcNow < deadline)
        {
            b.WaitForReceive(20_000);
            int n = b.Receive(ref rx);
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<byte> frame = rx.Frame(i);
                int type = frame[12] == 0x81 && frame[13] == 0x00 ? 16 : 12;
                if (frame.Length < 19 || (frame[type] << 8 | frame[type + 1]) != EtherType.LocalExperimental1) continue;
                int index = frame[18];
                Assert.True(index >= 0 && index < sendLengths.Length && valid[index], $"frame {index} should have been rejected");
                Assert.Equal(sendLengths[index], frame.Length);
                Assert.True(frame.SequenceEqual(expected[index]), $"frame {index} arrived changed");
                arrived.Add(index);
            }
        }
        Assert.Equal(new[] { 1, 3, 5 }, arrived.OrderBy(i => i));
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Interrupt_mode_sleeps_until_a_frame_arrives(NicKind kind)
    {
        using var bench = Start(kind, Wiring.BackToBack, $"irq-{kind}");
        INic sender = bench.Open(0, interrupts: false);
        INic sleeper = bench.Open(1, interrupts: true);
        NicScenarios.WaitForLink(ref sender, up: true);
        NicScenarios.WaitForLink(ref sleeper, up: true);

        // Nothing else is on this wire: the frame sent 300 ms later must be the next one received.
        var traffic = NicScenarios.Traffic(sender, sleeper, WireKeepsOrder, otherFramesFail: true);
        InterruptWake wake = traffic.WakeByInterrupt(1, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5));

        Assert.True(wake.Woke, "no frame within 5 s");
        Assert.InRange(wake.Waited.TotalMilliseconds, 200, 4000);
        Assert.True(wake.Interrupts > 0, "woke without an interrupt");
        Assert.Equal(1L, traffic.Delivered(1));
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Reset_reinitialises_with_the_same_mac_and_traffic_resumes(NicKind kind)
    {
        using var bench = Start(kind, Wiring.Gateway, $"reset-{kind}");
        INic nic = bench.Open(0, interrupts: false);
        NicScenarios.WaitForLink(ref nic, up: true);
        NicScenarios.ArpAndPingGateway(ref nic);
        Assert.Equal(NicStatus.Ok, nic.Reset());
        Assert.Equal(bench.ExpectedMac(0), nic.Mac.Bits);
        NicScenarios.WaitForLink(ref nic, up: true);
        NicScenarios.ArpAndPingGateway(ref nic);
        Assert.Equal(0ul, nic.Stats().ProtocolErrors);
    }

    /// <summary>virtio kinds with and without indirect descriptors and EVENT_IDX.</summary>
    public static TheoryData<NicKind, bool, bool> VirtioRingVariants
    {
        get
        {
            var data = new TheoryData<NicKind, bool, bool>();
            foreach (var kind in new[] { NicKind.VirtioPci, NicKind.VirtioMmio, NicKind.VirtioMmioLegacy })
                foreach (bool noIndirect in new[] { false, true })
                    foreach (bool noEventIdx in new[] { false, true })
                        data.Add(kind, noIndirect, noEventIdx);
            return data;
        }
    }

    [Theory, MemberData(nameof(VirtioRingVariants))]
    public void Virtio_rings_work_with_and_without_indirect_descriptors_and_event_idx(NicKind kind, bool noIndirect, bool noEventIdx)
    {
        using var bench = Start(kind, Wiring.BackToBack, $"ring-{kind}-{noIndirect}-{noEventIdx}");
        INic a = bench.Open(0, new VirtioNetOptions { NoIndirect = noIndirect, NoEventIdx = noEventIdx });
        INic b = bench.Open(1, new VirtioNetOptions { InterruptMode = true, NoIndirect = noIndirect, NoEventIdx = noEventIdx });
        NicScenarios.WaitForLink(ref a, up: true);
        NicScenarios.WaitForLink(ref b, up: true);
        // The options reached the negotiation (both backends offer both features).
        foreach (INic nic in new[] { a, b })
        {
            VirtioNetFeatures features = Drivers.VirtioFeatures(nic);
            Assert.Equal(!noIndirect, (features & VirtioNetFeatures.RING_INDIRECT_DESC) != 0);
            Assert.Equal(!noEventIdx, (features & VirtioNetFeatures.RING_EVENT_IDX) != 0);
        }
        // More frames than either ring holds, so every descriptor is reused.
        var traffic = NicScenarios.Traffic(a, b, WireKeepsOrder);
        traffic.Burst(0, 600, 64);
        traffic.Burst(1, 300, 8);
        NicScenarios.ArpAndPingBetween(ref b, 0x0A000002, ref a, 0x0A000001);
    }

    [Fact]
    public void Igb_filters_unicast_by_its_address_and_multicast_by_the_hash()
    {
        using var bench = Start(NicKind.Igb, Wiring.BackToBack, "igb-filters");
        INic a = bench.Open(0, interrupts: false);
        INic b = bench.Open(1, interrupts: false);
        NicScenarios.WaitForLink(ref a, up: true);
        NicScenarios.WaitForLink(ref b, up: true);
        var traffic = NicScenarios.Traffic(a, b, WireKeepsOrder);
        // One test frame from A to the address: true if B delivers it within 300 ms.
        bool Delivered(MacAddress destination) => traffic.Reaches(0, destination, at: 1, TimeSpan.FromMilliseconds(300));

        Assert.False(Delivered(new MacAddress(0x0000_BEBA_FECA_0002ul)), "foreign unicast accepted");
        Assert.True(Delivered(MacAddress.Broadcast), "broadcast refused");
        var group = new MacAddress(0x0000_0100_005E_0001ul);     // 01:00:5e:00:00:01
        Assert.False(Delivered(group), "multicast accepted before joining");
        Assert.Equal(NicStatus.Ok, Drivers.AddMulticast(b, group));
        Assert.True(Delivered(group), "joined multicast refused");

        var newMac = new MacAddress(0x0000_7856_3412_0002ul);    // 02:00:12:34:56:78, locally administered
        Assert.Equal(NicStatus.Ok, Drivers.SetMac(b, newMac));
        Assert.Equal(newMac.Bits, b.Mac.Bits);
        Assert.True(Delivered(newMac), "frame to the new address refused");
        Assert.False(Delivered(new MacAddress(bench.ExpectedMac(1))), "frame to the old address accepted");
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Link_down_and_up_is_detected_and_traffic_resumes(NicKind kind)
    {
        using var bench = Start(kind, Wiring.Gateway, $"link-{kind}");
        INic nic = bench.Open(0, interrupts: false);
        NicScenarios.WaitForLink(ref nic, up: true);
        ulong changes = nic.Stats().LinkChanges;

        bench.SetLink(0, false);
        NicScenarios.WaitForLink(ref nic, up: false);
        bench.SetLink(0, true);
        NicScenarios.WaitForLink(ref nic, up: true);

        Assert.True(nic.Stats().LinkChanges >= changes + 2, $"link changes counted: {nic.Stats().LinkChanges - changes}");
        NicScenarios.ArpAndPingGateway(ref nic);
    }

    /// <summary>
    /// NIC A's cable during the stream: pulled mid-burst, pulled between rounds, pulled and
    /// plugged back at once mid-burst (the driver may miss that one), pulled mid-burst again.
    /// </summary>
    public static readonly LinkFlap[] FlapPlan = { new(MidBurst: true, Quick: false), new(MidBurst: false, Quick: false), new(MidBurst: true, Quick: true), new(MidBurst: true, Quick: false) };

    /// <summary>The longest a Send or Receive call may take, and how much longer than asked a WaitForReceive may sleep.</summary>
    public static readonly TimeSpan CallLimit = TimeSpan.FromSeconds(1);

    [Theory, MemberData(nameof(KindsAndModes))]
    public void Link_flaps_during_traffic_lose_frames_only_around_the_flap_and_never_duplicate_corrupt_or_hang(NicKind kind, bool interrupts)
    {
        using var bench = Start(kind, Wiring.BackToBack, $"flap-{kind}-{interrupts}");
        INic a = bench.Open(0, interrupts);
        INic b = bench.Open(1, interrupts);
        NicScenarios.WaitForLink(ref a, up: true);
        NicScenarios.WaitForLink(ref b, up: true);

        var result = LinkFlapStream.Run(bench, a, b, interrupts, WireKeepsOrder, FlapPlan);
        _output?.WriteLine($"link flaps {GetType().Name} {kind} {(interrupts ? "interrupts" : "polling")}: {result.Summary}");
        Assert.True(result.LongestSend < CallLimit && result.LongestReceive < CallLimit, $"a call took too long: {result.Summary}");
        Assert.True(result.LongestWait < CallLimit + TimeSpan.FromMilliseconds(10), $"WaitForReceive overslept: {result.Summary}");

        // Then a final burst each way arrives exactly once and byte for byte.
        var traffic = NicScenarios.Traffic(a, b, WireKeepsOrder);
        traffic.Burst(0, 200, 32);
        traffic.Burst(1, 200, 32);
        Assert.True(a.Link().Up && b.Link().Up, "a link went down after the last flap");
    }
}

/// <summary>Driver-specific calls on whichever backend's NIC type a bench returned.</summary>
internal static class Drivers
{
    /// <summary>The features a virtio-net driver negotiated, on either backend and any transport.</summary>
    public static VirtioNetFeatures VirtioFeatures(INic nic) => nic switch
    {
        VirtioNet<Runtime.Models.ModelAccess, VirtioPciTransport<Runtime.Models.ModelAccess>, Runtime.Models.ModelHost> n => n.Features,
        VirtioNet<Runtime.Models.ModelAccess, VirtioMmioTransport<Runtime.Models.ModelAccess>, Runtime.Models.ModelHost> n => n.Features,
        VirtioNet<Runtime.Models.ModelAccess, VirtioMmioLegacyTransport<Runtime.Models.ModelAccess>, Runtime.Models.ModelHost> n => n.Features,
        VirtioNet<Runtime.Qtest.QtestAccess, VirtioPciTransport<Runtime.Qtest.QtestAccess>, Runtime.Qtest.QtestHost> n => n.Features,
        VirtioNet<Runtime.Qtest.QtestAccess, VirtioMmioTransport<Runtime.Qtest.QtestAccess>, Runtime.Qtest.QtestHost> n => n.Features,
        VirtioNet<Runtime.Qtest.QtestAccess, VirtioMmioLegacyTransport<Runtime.Qtest.QtestAccess>, Runtime.Qtest.QtestHost> n => n.Features,
        _ => throw new ArgumentException("not a virtio-net NIC", nameof(nic)),
    };

    public static NicStatus SetMac(INic nic, MacAddress mac) => nic switch
    {
        IgbNic<Runtime.Models.ModelAccess, Runtime.Models.ModelHost> n => n.SetMac(mac),
        IgbNic<Runtime.Qtest.QtestAccess, Runtime.Qtest.QtestHost> n => n.SetMac(mac),
        _ => throw new ArgumentException("not an igb NIC"),
    };

    public static NicStatus AddMulticast(INic nic, MacAddress group) => nic switch
    {
        IgbNic<Runtime.Models.ModelAccess, Runtime.Models.ModelHost> n => n.AddMulticast(group),
        IgbNic<Runtime.Qtest.QtestAccess, Runtime.Qtest.QtestHost> n => n.AddMulticast(group),
        _ => throw new ArgumentException("not an igb NIC"),
    };
}

/// <summary>The suite on QEMU 10's own igb and virtio-net models, through qtest.</summary>
[Trait("Category", "Qtest")]
public sealed class QtestNicTests : NicSuite
{
    /// <summary>The suite writing its figures to <paramref name="output"/>.</summary>
    public QtestNicTests(ITestOutputHelper output) : base(output) { }

    /// <inheritdoc/>
    protected override INicBench Start(NicKind kind, Wiring wiring, string name) => new QtestBench(kind, wiring, name);

    /// <summary>
    /// No. Seen: an occasional swap of two adjacent frames at the receiver while the sender's own
    /// capture is in order, and never on the models. Our reading of QEMU's net layer: the hub
    /// queues a frame for a receiver without buffers, and one sent after the receiver refilled can
    /// overtake it before that queue is flushed (qemu_net_queue_send asks only whether the peer
    /// can receive now).
    /// </summary>
    protected override bool WireKeepsOrder => false;
}
