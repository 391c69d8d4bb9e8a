using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Regs.Net;
using Regs.Nic;

namespace Regs.Testing.Traffic;

// The ways the tests drive two NICs; every frame received on the way is checked (NicTraffic.cs).
public partial class NicTraffic<TNic>
{
    private const uint BurstWaitMicroseconds = 20_000;
    private const uint ArrivalWaitMicroseconds = 10_000;
    private static readonly TrafficStep LinkStep = new(Frames: 0, WaitA: 5_000, WaitB: 0);

    /// <summary>
    /// One step: A and B send to each other as <paramref name="step"/> says (default
    /// <see cref="DefaultStep"/>), <paramref name="between"/> runs (say, a cable is pulled with
    /// frames in flight), then each NIC waits and receives. Returns this traffic's frames that arrived.
    /// </summary>
    public int Step(TrafficStep? step = null, Action? between = null)
    {
        step ??= DefaultStep;
        var clock = Stopwatch.StartNew();
        Steps++;
        for (int i = 0; i < Nics.Length; i++)
        {
            if (step.Frames > 0 && step.Sends(i)) Send(i, step.Frames);
        }
        between?.Invoke();
        int arrived = 0;
        for (int i = 0; i < Nics.Length; i++)
        {
            Wait(i, step.Wait(i));
            arrived += Receive(i);
        }
        if (step.PollLinks)
        {
            for (int i = 0; i < Nics.Length; i++) Nics[i].Link();
        }
        Longest(ref _longestStep, clock.Elapsed);
        return arrived;
    }

    /// <summary>
    /// Steps (best effort: rings may be full, links down; <see cref="DefaultStep"/> unless told) until <paramref name="done"/>; throws
    /// when that takes longer than <paramref name="limit"/>, saying it waited for
    /// <paramref name="what"/>. Returns the time it took.
    /// </summary>
    public TimeSpan StepUntil(Func<bool> done, TimeSpan limit, TrafficStep? step = null, string what = "the condition")
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed >= limit) throw new TrafficException($"waited {limit.TotalMilliseconds} ms for {what} in vain: {Describe()}");
            Step(step);
        }
        return clock.Elapsed;
    }

    /// <summary>Until both drivers report the link up (polling both, sleeping up to 5 ms on A), checking what arrives meanwhile.</summary>
    public void WaitForLinks(TimeSpan? limit = null)
        => StepUntil(() => A.Link().Up && B.Link().Up, limit ?? TimeSpan.FromSeconds(5), LinkStep, "both links to come up");

    /// <summary>
    /// Sends <paramref name="count"/> new frames from NIC <paramref name="from"/> to the other in
    /// batches of <paramref name="batch"/> (what a full ring refuses goes again) and receives on
    /// both until every one arrived: exactly once, byte for byte, in order where the wire keeps
    /// it. Throws after <see cref="BurstLimit"/>. Returns the frames sent.
    /// </summary>
    public SentFrames Burst(int from, int count, int batch = 32)
    {
        var counts = new int[2];
        counts[from] = count;
        return Bursts(counts, batch)[from];
    }

    /// <summary><paramref name="count"/> new frames each way at once, in batches of <paramref name="batch"/>, as <see cref="Burst"/>.</summary>
    public void BurstBothWays(int count, int batch = 16) => Bursts(new[] { count, count }, batch);

    /// <summary>
    /// One new frame from NIC <paramref name="from"/> to <paramref name="destination"/> (a group,
    /// a foreign address): true when NIC <paramref name="at"/> delivered it within <paramref name="within"/>.
    /// </summary>
    public bool Reaches(int from, MacAddress destination, int at, TimeSpan within)
    {
        SentFrames sent = Send(from, 1, destination);
        if (sent.Count != 1) throw new TrafficException($"NIC {Name(from)} did not queue a frame to {destination}: {Describe(from)}");
        var clock = Stopwatch.StartNew();
        do
        {
            Wait(at, ArrivalWaitMicroseconds);
            Receive(at);
            if (sent.Flow.WasDelivered(sent.First)) return true;
        }
        while (clock.Elapsed < within);
        return false;
    }

    /// <summary>
    /// NIC <paramref name="sleeper"/> (in interrupt mode) drains its ring and sleeps in
    /// WaitForReceive for at most <paramref name="limit"/>, while the other NIC sends it one frame
    /// from another thread after <paramref name="delay"/>. When it wakes, that frame must be the
    /// next it receives (exactly once, byte for byte). The caller judges how it woke.
    /// </summary>
    public InterruptWake WakeByInterrupt(int sleeper, TimeSpan delay, TimeSpan limit)
    {
        int sender = 1 - sleeper;
        while (ReceiveBatch(sleeper, out _) > 0) { }
        TrafficFlow flow = Flow(sender, sleeper);
        long id = flow.Sent;
        byte[] frame = flow.Frame(id);
        TNic nic = Nics[sender];
        int queued = 0;
        var late = new Thread(() =>
        {
            Thread.Sleep(delay);
            var batch = new FrameBatch(new byte[FrameBatch.SlotSize], new FrameEntry[1]);
            batch.Add(frame);
            queued = nic.Send(batch);
        });
        ulong interruptsBefore = Nics[sleeper].Stats().Interrupts;
        var clock = Stopwatch.StartNew();
        late.Start();
        bool woke = Nics[sleeper].WaitForReceive((uint)Math.Min(uint.MaxValue, limit.TotalMicroseconds));
        TimeSpan waited = clock.Elapsed;
        late.Join();
        ulong interrupts = Nics[sleeper].Stats().Interrupts - interruptsBefore;
        if (queued != 1) throw new TrafficException($"NIC {Name(sender)} did not queue the frame meant to wake NIC {Name(sleeper)}: {Describe(sender)}");
        flow.Queued(1, Steps);
        CheckDriver(sender, "Send");
        if (woke)
        {
            Receive(sleeper);
            if (!flow.WasDelivered(id)) Problem($"NIC {Name(sleeper)} woke, but the frame it was woken for was not there to receive");
        }
        return new InterruptWake(woke, waited, interrupts);
    }

    // counts[i]: frames from NIC i. Returns what each sent.
    private SentFrames[] Bursts(int[] counts, int batch)
    {
        TrafficFlow[] flows = { Flow(0, 1), Flow(1, 0) };
        long[] first = { flows[0].Sent, flows[1].Sent };
        int[] left = { counts[0], counts[1] };
        HashSet<long>[] pending = { new(), new() };   // by sender
        var clock = Stopwatch.StartNew();
        while (left[0] + left[1] + pending[0].Count + pending[1].Count > 0)
        {
            if (clock.Elapsed >= BurstLimit)
                throw new TrafficException($"burst stalled after {BurstLimit.TotalSeconds} s: {Outstanding(flows[0], counts[0], left[0], pending[0])}; {Outstanding(flows[1], counts[1], left[1], pending[1])}; {Describe()}");
            for (int sender = 0; sender < 2; sender++)
            {
                if (left[sender] == 0) continue;
                SentFrames sent = Send(sender, Math.Min(batch, left[sender]));
                for (int i = 0; i < sent.Count; i++) pending[sender].Add(sent.Id(i));
                left[sender] -= sent.Count;
            }
            bool allQueued = left[0] + left[1] == 0;
            for (int receiver = 0; receiver < 2; receiver++)
            {
                // A NIC the burst sends to waits for its frames; a sender's ring is only emptied
                // (and checked), so it costs no extra polling of the device.
                HashSet<long> awaited = pending[1 - receiver];
                if (counts[1 - receiver] > 0) Wait(receiver, allQueued && awaited.Count > 0 ? BurstWaitMicroseconds : 0);
                Receive(receiver);
                awaited.RemoveWhere(flows[1 - receiver].WasDelivered);
            }
        }
        return new[] { new SentFrames(flows[0], first[0], counts[0]), new SentFrames(flows[1], first[1], counts[1]) };
    }

    private static string Outstanding(TrafficFlow flow, int count, int left, HashSet<long> pending)
        => $"{flow}: {count - left - pending.Count} of {count} arrived, {pending.Count} queued but missing{(pending.Count > 0 ? $" (first id {pending.Min()})" : "")}, {left} not yet queued";
}
