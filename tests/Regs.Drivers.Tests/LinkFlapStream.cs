using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Regs.Net;
using Regs.Nic;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>One link flap of NIC 0 during a <see cref="LinkFlapStream"/>.</summary>
/// <param name="MidBurst">The cable is pulled between sending a round's frames and receiving them (frames in flight in both rings).</param>
/// <param name="Quick">Plugged back in at once, without waiting for the driver to see the link down: the driver may never see this flap.</param>
public readonly record struct LinkFlap(bool MidBurst, bool Quick);

/// <summary>
/// Two NICs exchanging a continuous stream in both directions (numbered frames of varied length,
/// each byte derived from its direction and number, so any frame can be checked byte for byte)
/// while NIC 0's cable is pulled and plugged back in. Single-threaded rounds: both NICs send a
/// batch, then both receive (in interrupt mode after sleeping on the interrupt, bounded), then
/// NIC 0's link is read. Every call into a driver is timed.
/// </summary>
public sealed class LinkFlapStream
{
    /// <summary>The stream's EtherType (IEEE local experimental 2), apart from <see cref="NicScenarios.TestEtherType"/> so a later burst ignores stragglers.</summary>
    public const ushort StreamEtherType = 0x88B6;

    /// <summary>How long the stream runs with the link up before each flap, while down, and after the last flap.</summary>
    public static readonly TimeSpan UpTime = TimeSpan.FromMilliseconds(120), DownTime = TimeSpan.FromMilliseconds(150), TailTime = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest a driver may take to report a link change it is asked about.</summary>
    public static readonly TimeSpan LinkReportLimit = TimeSpan.FromSeconds(5);

    private const int BatchFrames = 16;
    private const uint InterruptWaitMicroseconds = 10_000;

    private readonly INicBench _bench;
    private readonly INic[] _nics;
    private readonly bool _interrupts;
    private readonly bool _wireKeepsOrder;
    private readonly Direction[] _directions = { new(), new() };     // by sender
    private readonly List<(int From, int To)> _lossWindows = new();   // rounds in which frames may be lost
    private readonly byte[] _txData = new byte[BatchFrames * FrameBatch.SlotSize], _rxData = new byte[64 * FrameBatch.SlotSize];
    private readonly ushort[] _txLengths = new ushort[BatchFrames], _rxLengths = new ushort[64];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private bool _linkSeenUp = true;
    private int _round, _transitionsSeen;
    private TimeSpan _longestSend, _longestReceive, _longestWait;

    private LinkFlapStream(INicBench bench, INic a, INic b, bool interrupts, bool wireKeepsOrder)
    {
        _bench = bench;
        _nics = new[] { a, b };
        _interrupts = interrupts;
        _wireKeepsOrder = wireKeepsOrder;
    }

    /// <summary>Frames one NIC sent to the other and what the other made of them.</summary>
    public sealed class Direction
    {
        /// <summary>Frames the driver accepted (numbers 0..Sent-1).</summary>
        public int Sent;
        /// <summary>The round each frame was accepted in.</summary>
        public readonly List<int> SentInRound = new();
        /// <summary>Numbers received (once each).</summary>
        public readonly HashSet<int> Received = new();
        /// <summary>Highest number received so far.</summary>
        public int Highest = -1;
        /// <summary>Frames received a second time.</summary>
        public int Duplicated;
        /// <summary>Frames that were not byte for byte a frame this direction sent.</summary>
        public int Corrupted;
        /// <summary>Frames that arrived after a higher-numbered one.</summary>
        public int OutOfOrder;
        /// <summary>Frames accepted but never received.</summary>
        public int Lost => Sent - Received.Count;
        /// <summary>The first few problems, for the failure message.</summary>
        public readonly List<string> Problems = new();
    }

    /// <summary>What a run saw.</summary>
    public sealed record Result(Direction AToB, Direction BToA, int Flaps, int QuickFlaps, int TransitionsSeen, ulong LinkChangesA, ulong LinkChangesB,
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
        ulong changesA = a.Stats().LinkChanges, changesB = b.Stats().LinkChanges;
        foreach (var flap in flaps) stream.Flap(flap);

        int[] tailFrom = { stream._directions[0].Sent, stream._directions[1].Sent };
        stream.StreamFor(TailTime);
        stream.Drain();
        var result = new Result(stream._directions[0], stream._directions[1], flaps.Count, flaps.Count(f => f.Quick), stream._transitionsSeen,
            a.Stats().LinkChanges - changesA, b.Stats().LinkChanges - changesB, stream._longestSend, stream._longestReceive, stream._longestWait, stream._round, stream._clock.Elapsed);

        for (int d = 0; d < 2; d++)
        {
            var direction = stream._directions[d];
            string name = d == 0 ? "A->B" : "B->A";
            string problems = string.Join("; ", direction.Problems);
            Assert.True(direction.Duplicated == 0, $"{name}: {direction.Duplicated} frames delivered twice: {problems}");
            Assert.True(direction.Corrupted == 0, $"{name}: {direction.Corrupted} frames corrupted: {problems}");
            Assert.True(direction.OutOfOrder == 0, $"{name}: {direction.OutOfOrder} frames out of order on a wire that keeps order: {problems}");
            var lostOutsideFlaps = Enumerable.Range(0, direction.Sent).Where(n => !direction.Received.Contains(n) && !stream.InLossWindow(direction.SentInRound[n])).ToList();
            Assert.True(lostOutsideFlaps.Count == 0, $"{name}: frames lost while the link was up: {string.Join(",", lostOutsideFlaps.Take(20))} (sent in rounds {string.Join(",", lostOutsideFlaps.Take(20).Select(n => direction.SentInRound[n]))}; loss windows {string.Join(" ", stream._lossWindows)})");
            var tailLost = Enumerable.Range(tailFrom[d], direction.Sent - tailFrom[d]).Where(n => !direction.Received.Contains(n)).ToList();
            Assert.True(direction.Sent - tailFrom[d] > 0 && tailLost.Count == 0, $"{name}: the stream did not resume after the last flap: {direction.Sent - tailFrom[d]} frames sent, lost {string.Join(",", tailLost.Take(20))}");
        }
        // Each flap is two changes at most; the ones the driver was made to see are two at least.
        int observed = 2 * (flaps.Count - result.QuickFlaps);
        Assert.True(result.LinkChangesA >= (ulong)Math.Max(observed, result.TransitionsSeen) && result.LinkChangesA <= (ulong)(2 * flaps.Count) && result.LinkChangesA % 2 == 0,
            $"NIC A counted {result.LinkChangesA} link changes for {flaps.Count} flaps ({result.QuickFlaps} quick, {result.TransitionsSeen} transitions seen through Link())");
        foreach (var nic in stream._nics)
        {
            // A link flap is not a device fault: no error, no stall taken for a hang, no recovery reset.
            NicStats stats = nic.Stats();
            Assert.Equal(NicStatus.Ok, nic.LastError);
            Assert.True(stats.ProtocolErrors == 0 && stats.DeviceErrors == 0 && stats.Timeouts == 0 && stats.Recoveries == 0,
                $"a link flap was taken for a fault: protocol errors {stats.ProtocolErrors}, device errors {stats.DeviceErrors}, timeouts {stats.Timeouts}, recoveries {stats.Recoveries}");
        }
        return result;
    }

    private bool InLossWindow(int round) => _lossWindows.Any(w => round >= w.From && round <= w.To);

    private void Flap(LinkFlap flap)
    {
        StreamFor(UpTime);
        // Frames sent in the round before the cable is pulled may still be on the wire.
        int from = _round - 1;
        if (flap.MidBurst)
        {
            _round++;
            Send();
            SetLink(false, flap.Quick);
            Receive();
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
        _lossWindows.Add((from, _round + 1));
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
        _round++;
        Send();
        Receive();
        ReadLink();
    }

    private void ReadLink()
    {
        bool up = _nics[0].Link().Up;
        Assert.Equal(NicStatus.Ok, _nics[0].LastError);
        if (up != _linkSeenUp) _transitionsSeen++;
        _linkSeenUp = up;
    }

    private void Send()
    {
        for (int sender = 0; sender < 2; sender++)
        {
            var direction = _directions[sender];
            INic from = _nics[sender], to = _nics[1 - sender];
            var tx = new FrameBatch(_txData, _txLengths);
            for (int i = 0; i < BatchFrames; i++) Assert.True(tx.Add(Frame(sender, direction.Sent + i, to.Mac, from.Mac)));
            var clock = Stopwatch.StartNew();
            int accepted = from.Send(tx);
            Longest(ref _longestSend, clock.Elapsed);
            Assert.Equal(NicStatus.Ok, from.LastError);
            for (int i = 0; i < accepted; i++) direction.SentInRound.Add(_round);
            direction.Sent += accepted;
        }
    }

    // Returns how many stream frames arrived.
    private int Receive()
    {
        int total = 0;
        for (int receiver = 0; receiver < 2; receiver++)
        {
            INic nic = _nics[receiver];
            if (_interrupts)
            {
                var wait = Stopwatch.StartNew();
                nic.WaitForReceive(InterruptWaitMicroseconds);
                Longest(ref _longestWait, wait.Elapsed);
            }
            var rx = new FrameBatch(_rxData, _rxLengths);
            var clock = Stopwatch.StartNew();
            int count = nic.Receive(ref rx);
            Longest(ref _longestReceive, clock.Elapsed);
            Assert.Equal(NicStatus.Ok, nic.LastError);
            for (int i = 0; i < count; i++) total += Check(receiver, rx.Frame(i)) ? 1 : 0;
        }
        return total;
    }

    // Receives without sending until nothing has arrived for a while (bounded).
    private void Drain()
    {
        var quietSince = _clock.Elapsed;
        var until = _clock.Elapsed + TimeSpan.FromSeconds(5);
        while (_clock.Elapsed - quietSince < TimeSpan.FromMilliseconds(300) && _clock.Elapsed < until)
        {
            foreach (var nic in _nics) if (!_interrupts) nic.WaitForReceive(5_000);
            if (Receive() > 0) quietSince = _clock.Elapsed;
        }
    }

    private bool Check(int receiver, ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 19 || frame[12] != StreamEtherType >> 8 || frame[13] != (StreamEtherType & 0xFF)) return false;
        int sender = frame[18];
        var direction = _directions[1 - receiver];
        int number = BitConverter.ToInt32(frame.Slice(14));
        if (sender != 1 - receiver || number < 0 || number >= direction.Sent
            || !frame.SequenceEqual(Frame(sender, number, _nics[receiver].Mac, _nics[sender].Mac)))
        {
            direction.Corrupted++;
            Note(direction, $"round {_round}: frame of {frame.Length} bytes claiming sender {sender} number {number} is not one that was sent");
            return true;
        }
        if (!direction.Received.Add(number))
        {
            direction.Duplicated++;
            Note(direction, $"round {_round}: frame {number} again");
            return true;
        }
        if (_wireKeepsOrder && number < direction.Highest)
        {
            direction.OutOfOrder++;
            Note(direction, $"round {_round}: frame {number} after {direction.Highest}");
        }
        direction.Highest = Math.Max(direction.Highest, number);
        return true;
    }

    private static void Note(Direction direction, string problem)
    {
        if (direction.Problems.Count < 10) direction.Problems.Add(problem);
    }

    private static void Longest(ref TimeSpan longest, TimeSpan took)
    {
        if (took > longest) longest = took;
    }

    /// <summary>Stream frame <paramref name="number"/> from NIC <paramref name="sender"/>: 60 to 1514 bytes, every byte a function of sender and number.</summary>
    public static byte[] Frame(int sender, int number, MacAddress to, MacAddress from)
    {
        var f = new byte[60 + (number * 53 + sender * 700) % 1455];
        to.CopyTo(f);
        from.CopyTo(f.AsSpan(6));
        f[12] = StreamEtherType >> 8; f[13] = StreamEtherType & 0xFF;
        BitConverter.TryWriteBytes(f.AsSpan(14), number);
        f[18] = (byte)sender;
        for (int j = 19; j < f.Length; j++) f[j] = (byte)(number * 11 + j * 3 + sender * 101);
        return f;
    }
}
