using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Regs.Net;
using Regs.Nic;
using Regs.Testing.Traffic;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>One link flap of NIC 0 during a <see cref="LinkFlapStream"/>.</summary>
/// <param name="MidBurst">The cable is pulled between sending a round's frames and receiving them (frames in flight in both rings).</param>
/// <param name="Quick">Plugged back in at once, without waiting for the driver to see the link down: the driver may never see this flap.</param>
public readonly record struct LinkFlap(bool MidBurst, bool Quick);

/// <summary>
/// Two NICs exchanging a continuous stream in both directions (numbered traffic, every frame
/// checked byte for byte) while NIC 0's cable is pulled and plugged back in. Single-threaded
/// rounds: both NICs send a batch, then both receive (in interrupt mode after sleeping on the
/// interrupt, bounded), then NIC 0's link is read. Every call into a driver is timed.
/// </summary>
public sealed class LinkFlapStream
{
    /// <summary>How long the stream runs with the link up before each flap, while down, and after the last flap.</summary>
    public static readonly TimeSpan UpTime = TimeSpan.FromMilliseconds(120), DownTime = TimeSpan.FromMilliseconds(150), TailTime = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest a driver may take to report a link change it is asked about.</summary>
    public static readonly TimeSpan LinkReportLimit = TimeSpan.FromSeconds(5);

    private const int BatchFrames = 16;
    private const uint InterruptWaitMicroseconds = 10_000, DrainPollMicroseconds = 5_000;

    private readonly INicBench _bench;
    private readonly NicTraffic<INic> _traffic;
    private readonly TrafficStep _round, _drain;
    private readonly List<(int From, int To)> _lossWindows = new();   // rounds in which frames may be lost
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private bool _linkSeenUp = true;
    private int _transitionsSeen;

    private LinkFlapStream(INicBench bench, INic a, INic b, bool interrupts, bool wireKeepsOrder)
    {
        _bench = bench;
        // Its own EtherType, so a burst after the stream passes over stragglers; problems are
        // counted, so the run ends with the whole picture.
        _traffic = new NicTraffic<INic>(a, b) { EtherType = EtherType.LocalExperimental2, WireKeepsOrder = wireKeepsOrder, DriverErrorsFail = true, CountProblems = true };
        uint wait = interrupts ? InterruptWaitMicroseconds : 0;
        _round = new TrafficStep(BatchFrames, wait, wait);
        uint drainWait = interrupts ? InterruptWaitMicroseconds : DrainPollMicroseconds;
        _drain = new TrafficStep(0, drainWait, drainWait);
    }

    /// <summary>What a run saw.</summary>
    public sealed record Result(TrafficFlow AToB, TrafficFlow BToA, int Flaps, int QuickFlaps, int TransitionsSeen, ulong LinkChangesA, ulong LinkChangesB,
        TimeSpan LongestSend, TimeSpan LongestReceive, TimeSpan LongestWait, int Rounds, TimeSpan Elapsed)
    {
        /// <summary>One line for the test output and the notes.</summary>
        public string Summary =>
            $"flaps {Flaps} ({QuickFlaps} quick), transitions seen {TransitionsSeen}, LinkChanges A {LinkChangesA} B {LinkChangesB}; " +
            $"A->B sent {AToB.Sent} lost {AToB.Lost} dup {AToB.Duplicated} corrupt {AToB.Corrupted} reordered {AToB.OutOfOrder}; " +
            $"B->A sent {BToA.Sent} lost {BToA.Lost} dup {BToA.Duplicated} corrupt {BToA.Corrupted} reordered {BToA.OutOfOrder}; " +
            $"longest Send {LongestSend.TotalMilliseconds:F1} ms, Receive {LongestReceive.TotalMilliseconds:F1} ms, WaitForReceive {LongestWait.TotalMilliseconds:F1} ms; " +
            $"{Rounds} rounds in {Elapsed.TotalSeconds:F2} s";
    }

    /// <summary>
    /// Streams both ways through <paramref name="flaps"/> of NIC 0's link, then for
    /// <see cref="TailTime"/> with the link up, then drains. Fails the test on a frame delivered
    /// twice, corrupted, out of order (when <paramref name="wireKeepsOrder"/>) or lost outside a
    /// flap, on a link change the driver did not report in time, on a driver error, and on a tail
    /// that did not arrive whole.
    /// </summary>
    public static Result Run(INicBench bench, INic a, INic b, bool interrupts, bool wireKeepsOrder, IReadOnlyList<LinkFlap> flaps)
    {
        var stream = new LinkFlapStream(bench, a, b, interrupts, wireKeepsOrder);
        NicTraffic<INic> traffic = stream._traffic;
        TrafficFlow[] directions = { traffic.Flow(0, 1), traffic.Flow(1, 0) };
        ulong changesA = a.Stats().LinkChanges, changesB = b.Stats().LinkChanges;
        foreach (var flap in flaps) stream.Flap(flap);

        long[] tailFrom = { directions[0].Sent, directions[1].Sent };
        stream.StreamFor(TailTime);
        int rounds = traffic.Steps;
        stream.Drain();
        var result = new Result(directions[0], directions[1], flaps.Count, flaps.Count(f => f.Quick), stream._transitionsSeen,
            a.Stats().LinkChanges - changesA, b.Stats().LinkChanges - changesB, traffic.LongestSend, traffic.LongestReceive, traffic.LongestWait, rounds, stream._clock.Elapsed);

        // Frames delivered twice, corrupted or out of order, and driver errors.
        Assert.True(traffic.ProblemCount == 0, $"{traffic.ProblemCount} problems: {string.Join("; ", traffic.Problems)}; {result.Summary}");
        for (int d = 0; d < 2; d++)
        {
            TrafficFlow direction = directions[d];
            string name = d == 0 ? "A->B" : "B->A";
            var lostOutsideFlaps = Ids(0, direction.Sent).Where(n => !direction.WasDelivered(n) && !stream.InLossWindow(direction.SentInStep(n))).ToList();
            Assert.True(lostOutsideFlaps.Count == 0, $"{name}: frames lost while the link was up: {string.Join(",", lostOutsideFlaps.Take(20))} (sent in rounds {string.Join(",", lostOutsideFlaps.Take(20).Select(direction.SentInStep))}; loss windows {string.Join(" ", stream._lossWindows)})");
            var tailLost = Ids(tailFrom[d], direction.Sent).Where(n => !direction.WasDelivered(n)).ToList();
            Assert.True(direction.Sent - tailFrom[d] > 0 && tailLost.Count == 0, $"{name}: the stream did not resume after the last flap: {direction.Sent - tailFrom[d]} frames sent, lost {string.Join(",", tailLost.Take(20))}");
        }
        // Each flap is two changes at most; the ones the driver was made to see are two at least.
        int observed = 2 * (flaps.Count - result.QuickFlaps);
        Assert.True(result.LinkChangesA >= (ulong)Math.Max(observed, result.TransitionsSeen) && result.LinkChangesA <= (ulong)(2 * flaps.Count) && result.LinkChangesA % 2 == 0,
            $"NIC A counted {result.LinkChangesA} link changes for {flaps.Count} flaps ({result.QuickFlaps} quick, {result.TransitionsSeen} transitions seen through Link())");
        foreach (INic nic in new[] { a, b })
        {
            // A link flap is not a device fault: no error, no stall taken for a hang, no recovery reset.
            NicStats stats = nic.Stats();
            Assert.Equal(NicStatus.Ok, nic.LastError);
            Assert.True(stats.ProtocolErrors == 0 && stats.DeviceErrors == 0 && stats.Timeouts == 0 && stats.Recoveries == 0,
                $"a link flap was taken for a fault: protocol errors {stats.ProtocolErrors}, device errors {stats.DeviceErrors}, timeouts {stats.Timeouts}, recoveries {stats.Recoveries}");
        }
        return result;
    }

    private static IEnumerable<long> Ids(long from, long to)
    {
        for (long id = from; id < to; id++) yield return id;
    }

    private bool InLossWindow(int round) => _lossWindows.Any(w => round >= w.From && round <= w.To);

    private void Flap(LinkFlap flap)
    {
        StreamFor(UpTime);
        // Frames sent in the round before the cable is pulled may still be on the wire.
        int from = _traffic.Steps - 1;
        if (flap.MidBurst)
        {
            _traffic.Step(_round, between: () => SetLink(false, flap.Quick));
            ReadLink();
        }
        else SetLink(false, flap.Quick);

        if (!flap.Quick)
        {
            StreamUntilLink(up: false);
            StreamFor(DownTime);
            _bench.SetLink(0, true);
        }
        StreamUntilLink(up: true);
        // Frames sent in the round the link came back may have met a receiver still catching up.
        _lossWindows.Add((from, _traffic.Steps + 1));
    }

    private void SetLink(bool up, bool andBack)
    {
        _bench.SetLink(0, up);
        if (andBack) _bench.SetLink(0, !up);
    }

    private void StreamFor(TimeSpan time)
    {
        var until = _clock.Elapsed + time;
        do Round(); while (_clock.Elapsed < until);
    }

    private void StreamUntilLink(bool up)
    {
        var until = _clock.Elapsed + LinkReportLimit;
        do
        {
            Round();
            Assert.True(_clock.Elapsed < until || _linkSeenUp == up, $"NIC A's driver did not report the link {(up ? "up" : "down")} within {LinkReportLimit.TotalSeconds} s");
        }
        while (_linkSeenUp != up);
    }

    private void Round()
    {
        _traffic.Step(_round);
        ReadLink();
    }

    private void ReadLink()
    {
        bool up = _traffic.A.Link().Up;
        Assert.Equal(NicStatus.Ok, _traffic.A.LastError);
        if (up != _linkSeenUp) _transitionsSeen++;
        _linkSeenUp = up;
    }

    // Receives without sending until nothing has arrived for a while (bounded).
    private void Drain()
    {
        var quietSince = _clock.Elapsed;
        var until = _clock.Elapsed + TimeSpan.FromSeconds(5);
        while (_clock.Elapsed - quietSince < TimeSpan.FromMilliseconds(300) && _clock.Elapsed < until)
        {
            if (_traffic.Step(_drain) > 0) quietSince = _clock.Elapsed;
        }
    }
}
