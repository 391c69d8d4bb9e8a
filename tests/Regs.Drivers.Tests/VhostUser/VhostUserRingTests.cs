using System;
using System.Collections.Generic;
using System.Linq;
using Regs.Drivers.Virtio;
using Regs.Nic;
using Regs.Runtime.Qtest;
using Regs.Testing.NicKinds;
using Regs.Testing.Traffic;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Drivers.Tests.VhostUser;

/// <summary>
/// What the two device implementations write into the rings, read from guest RAM after a burst
/// (<see cref="SplitRingView"/>): used lengths, completion order and notification suppression,
/// for DPDK's vhost library (through testpmd) and, for comparison, QEMU's own virtio-net on a
/// hub. The figures go to the test output and docs/vhost-user.md; the assertions are the facts
/// the driver depends on and the ones the document states.
/// </summary>
[Trait("Category", "VhostUser")]
[Collection(VhostUserCollection.Name)]
public sealed class VhostUserRingTests : IClassFixture<TestpmdFixture>
{
    private const int Frames = 100;          // fewer than a ring holds, so every position is read once
    private const ushort ReceiveQueue = 0, TransmitQueue = 1;
    private const int HeaderLength = 12;     // virtio_net_hdr with num_buffers (VERSION_1, 5.1.6)

    private readonly Testpmd _testpmd;
    private readonly ITestOutputHelper _output;

    /// <summary>Tests on the class's testpmd, writing figures to <paramref name="output"/>.</summary>
    public VhostUserRingTests(TestpmdFixture fixture, ITestOutputHelper output)
    {
        _testpmd = fixture.Testpmd;
        _output = output;
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public void Used_lengths_completion_order_and_notification_suppression_as_each_device_writes_them(bool dpdk, bool noEventIdx)
    {
        string device = dpdk ? "DPDK vhost-user" : "QEMU virtio-net (hub)";
        using INicBench bench = dpdk
            ? new VhostUserBench(_testpmd, 2, $"vhu-rings-{noEventIdx}")
            : new QtestBench(NicKind.VirtioPci, Wiring.BackToBack, $"qemu-rings-{noEventIdx}");
        QemuMachine machine = bench is VhostUserBench v ? v.Machine : ((QtestBench)bench).Machine;
        var options = new VirtioNetOptions { NoEventIdx = noEventIdx, TransmitTimeoutMicroseconds = 5_000_000 };
        INic a = bench.Open(0, options);
        INic b = bench.Open(1, options);
        NicScenarios.WaitForLink(ref a, up: true);
        NicScenarios.WaitForLink(ref b, up: true);
        if (bench is VhostUserBench vhost) vhost.Prime(a, b);

        var tx = SplitRingView.Of(machine, 0, TransmitQueue);
        var rx = SplitRingView.Of(machine, 1, ReceiveQueue);
        int txStart = tx.UsedIdx, rxStart = rx.UsedIdx;
        var traffic = NicScenarios.Traffic(a, b, wireKeepsOrder: true, otherFramesFail: true);
        long commandsBefore = machine.Connection.Commands;
        SentFrames burst = traffic.Burst(0, Frames, 32);
        long commands = machine.Connection.Commands - commandsBefore;
        // The driver reclaims transmit buffers lazily: one more Send call takes the rest back
        // (the device has returned them all by now: B received every frame).
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while ((ushort)(tx.UsedIdx - txStart) < Frames && DateTime.UtcNow < deadline) System.Threading.Thread.Sleep(1);

        // Transmit: every chain comes back, in posting order, with used length 0 (5.1.6.1: the
        // driver must not rely on it; the driver here treats a length above 0 as an error).
        Assert.Equal(Frames, (ushort)(tx.UsedIdx - txStart));
        var txLengths = new List<uint>();
        int txInOrder = 0;
        for (int k = txStart; k < txStart + Frames; k++)
        {
            var (id, length) = tx.Used(k);
            txLengths.Add(length);
            if (id == tx.AvailHead(k)) txInOrder++;
        }
        // Receive: one buffer per frame, used length = header + frame, in posting order.
        Assert.Equal(Frames, (ushort)(rx.UsedIdx - rxStart));
        var rxExtra = new List<long>();
        int rxInOrder = 0;
        for (int k = rxStart; k < rxStart + Frames; k++)
        {
            var (id, length) = rx.Used(k);
            rxExtra.Add(length - (long)burst.Frame(k - rxStart).Length);
            if (id == rx.AvailHead(k)) rxInOrder++;
        }

        string txSuppression = $"tx used.flags 0x{tx.UsedFlags:x} avail_event {tx.AvailEvent} (avail idx {tx.AvailIdx})";
        string rxSuppression = $"rx used.flags 0x{rx.UsedFlags:x} avail_event {rx.AvailEvent} (avail idx {rx.AvailIdx})";
        _output.WriteLine($"{device}, EVENT_IDX {(noEventIdx ? "off" : "on")}: {Frames} frames A->B, {commands} qtest commands ({(double)commands / Frames:F2} per frame)");
        _output.WriteLine($"  tx used lengths: {string.Join(",", txLengths.Distinct())}; in posting order: {txInOrder}/{Frames}; {txSuppression}");
        _output.WriteLine($"  rx used length - frame length: {string.Join(",", rxExtra.Distinct())}; in posting order: {rxInOrder}/{Frames}; {rxSuppression}");

        Assert.All(txLengths, l => Assert.Equal(0u, l));
        Assert.All(rxExtra, e => Assert.Equal(HeaderLength, e));
        Assert.Equal(Frames, txInOrder);
        Assert.Equal(Frames, rxInOrder);
        if (dpdk)
        {
            // DPDK polls and asks for no notifications: without EVENT_IDX it sets NO_NOTIFY on
            // the transmit ring (2.7.7); with it, avail_event stays behind avail->idx, so a
            // driver following 2.7.10 almost never kicks.
            if (noEventIdx) Assert.Equal(1, tx.UsedFlags & 1);
            else Assert.NotEqual(tx.AvailIdx, tx.AvailEvent);
        }
        Assert.Equal(0, traffic.ProblemCount);
        Assert.Equal(0ul, a.Stats().ProtocolErrors);
        Assert.Equal(0ul, b.Stats().ProtocolErrors);
    }
}
