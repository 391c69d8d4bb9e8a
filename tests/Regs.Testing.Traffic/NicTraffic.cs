using System;
using System.Collections.Generic;
using System.Diagnostics;
using Regs.Net;
using Regs.Nic;
using EtherTypes = Regs.Net.EtherType;

namespace Regs.Testing.Traffic;

/// <summary>
/// Numbered test frames (<see cref="TestFrame"/>) between NICs on one wire: A and B
/// (<c>Nics[0]</c> and <c>Nics[1]</c>), or one NIC whose peer is another program. Every frame a
/// NIC delivers goes through <see cref="Receive"/>, which checks it against its flow: sent, byte
/// for byte, never delivered before (at any time, not only within one burst) and, where the wire
/// keeps order, in order. A failed check throws <see cref="TrafficException"/>; with
/// <see cref="CountProblems"/> it is counted in its flow and noted in <see cref="Problems"/>
/// instead, for a stream judged at its end. The ways to drive the NICs (steps, bursts, one frame
/// to an address, an interrupt wake-up) are in NicTraffic.Patterns.cs.
/// </summary>
/// <typeparam name="TNic">The NICs' type (<see cref="INic"/> for NICs of different types). Copies of a driver share its state, so holding copies is fine.</typeparam>
public partial class NicTraffic<TNic> where TNic : INic
{
    private const int ReceiveSlots = 64;
    private const int ProblemsKept = 20;

    private readonly Dictionary<(ulong From, ulong To), TrafficFlow> _flows = new();
    private readonly long[] _delivered;
    private readonly List<string> _problems = new();
    private readonly byte[] _rxData = new byte[ReceiveSlots * FrameBatch.SlotSize];
    private readonly FrameEntry[] _rxLengths = new FrameEntry[ReceiveSlots];
    private byte[] _txData = Array.Empty<byte>();
    private FrameEntry[] _txLengths = Array.Empty<FrameEntry>();
    private TimeSpan _longestSend, _longestReceive, _longestWait, _longestStep;

    /// <summary>
    /// Traffic between <paramref name="nics"/> (one or two). The array itself becomes
    /// <see cref="Nics"/>, so a driver opened into it later (<c>out traffic.Nics[0]</c>) takes part.
    /// </summary>
    public NicTraffic(params TNic[] nics)
    {
        if (nics.Length is < 1 or > 2) throw new ArgumentException("one NIC or two", nameof(nics));
        Nics = nics;
        _delivered = new long[nics.Length];
    }

    /// <summary>The NICs.</summary>
    public TNic[] Nics { get; }
    /// <summary>NIC 0.</summary>
    public ref TNic A => ref Nics[0];
    /// <summary>NIC 1.</summary>
    public ref TNic B => ref Nics[1];

    /// <summary>The test frames' EtherType: two traffics with different ones ignore each other's frames.</summary>
    public ushort EtherType { get; init; } = EtherTypes.LocalExperimental1;
    /// <summary>Any frame that is not a test frame of this traffic fails a check (the wire carries nothing else); otherwise such frames are passed over.</summary>
    public bool OtherFramesFail { get; init; }
    /// <summary>The wire delivers the frames of a flow in the order sent, so a frame after a higher id fails a check.</summary>
    public bool WireKeepsOrder { get; init; }
    /// <summary>A driver whose <see cref="INic.LastError"/> is not Ok after a Send or Receive fails a check.</summary>
    public bool DriverErrorsFail { get; init; }
    /// <summary>Failed checks are counted and noted instead of thrown.</summary>
    public bool CountProblems { get; init; }
    /// <summary>What <see cref="Step"/> and <see cref="StepUntil"/> do when not told.</summary>
    public TrafficStep DefaultStep { get; init; } = TrafficStep.Default;
    /// <summary>How long a burst may take.</summary>
    public TimeSpan BurstLimit { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Describes the device behind NIC i for failure messages (optional).</summary>
    public Func<int, string>? DeviceState { get; init; }

    /// <summary>Steps taken so far.</summary>
    public int Steps { get; private set; }
    /// <summary>The longest Send call so far.</summary>
    public TimeSpan LongestSend => _longestSend;
    /// <summary>The longest Receive call so far.</summary>
    public TimeSpan LongestReceive => _longestReceive;
    /// <summary>The longest WaitForReceive call so far.</summary>
    public TimeSpan LongestWait => _longestWait;
    /// <summary>The longest step so far: no driver call may wait without bound.</summary>
    public TimeSpan LongestStep => _longestStep;
    /// <summary>Failed checks, counted (<see cref="CountProblems"/>).</summary>
    public int ProblemCount { get; private set; }
    /// <summary>The first failed checks, described.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>Test frames NIC <paramref name="index"/> delivered, each checked, each once.</summary>
    public long Delivered(int index) => _delivered[index];

    /// <summary>The flow from NIC <paramref name="from"/> to NIC <paramref name="to"/>.</summary>
    public TrafficFlow Flow(int from, int to) => Flow(Nics[from].Mac, Nics[to].Mac);

    /// <summary>The flow from <paramref name="from"/> to <paramref name="to"/>, sent by a NIC of this traffic.</summary>
    public TrafficFlow Flow(MacAddress from, MacAddress to) => FlowOf(from, to, remote: false);

    /// <summary>The flow another program sends from <paramref name="from"/> to <paramref name="to"/>: its frames are checked like the others, except against what was sent.</summary>
    public TrafficFlow Expect(MacAddress from, MacAddress to) => FlowOf(from, to, remote: true);

    /// <summary>
    /// Queues up to <paramref name="count"/> new frames from NIC <paramref name="from"/> to
    /// <paramref name="to"/> (by default the other NIC); returns the ones the driver took.
    /// </summary>
    public SentFrames Send(int from, int count, MacAddress? to = null)
    {
        TrafficFlow flow = Flow(Nics[from].Mac, to ?? Peer(from));
        if (_txLengths.Length < count)
        {
            _txData = new byte[count * FrameBatch.SlotSize];
            _txLengths = new FrameEntry[count];
        }
        var batch = new FrameBatch(_txData, _txLengths);
        for (int i = 0; i < count; i++) batch.Commit(TestFrame.Write(batch.Free().Slice(0, FrameBatch.SlotSize), EtherType, flow.To, flow.From, flow.Sent + i));
        var clock = Stopwatch.StartNew();
        int queued = Nics[from].Send(batch);
        Longest(ref _longestSend, clock.Elapsed);
        var sent = new SentFrames(flow, flow.Sent, queued);
        flow.Queued(queued, Steps);
        CheckDriver(from, "Send");
        return sent;
    }

    /// <summary>WaitForReceive on NIC <paramref name="index"/>, timed.</summary>
    public bool Wait(int index, uint microseconds)
    {
        var clock = Stopwatch.StartNew();
        bool ready = Nics[index].WaitForReceive(microseconds);
        Longest(ref _longestWait, clock.Elapsed);
        return ready;
    }

    /// <summary>Receives what NIC <paramref name="index"/> has (one batch) and checks every frame; returns how many were this traffic's.</summary>
    public int Receive(int index)
    {
        ReceiveBatch(index, out int ours);
        return ours;
    }

    /// <summary>NIC <paramref name="index"/>'s state and counters, for failure messages.</summary>
    public string Describe(int index)
    {
        TNic nic = Nics[index];
        NicStats s = nic.Stats();
        string state = $"NIC {Name(index)}: last {nic.LastError}, link {(nic.Link().Up ? "up" : "down")}, rx {s.RxFrames} tx {s.TxFrames}, protocol errors {s.ProtocolErrors}, "
            + $"device errors {s.DeviceErrors}, timeouts {s.Timeouts}, recoveries {s.Recoveries}, link changes {s.LinkChanges}";
        return DeviceState is null ? state : $"{state}, {DeviceState(index)}";
    }

    /// <summary>Every NIC's state, for failure messages.</summary>
    public string Describe() => Nics.Length == 1 ? Describe(0) : $"{Describe(0)}; {Describe(1)}";

    /// <summary>"A" or "B".</summary>
    protected static string Name(int index) => index == 0 ? "A" : "B";

    // Returns the frames received; `ours` counts those of this traffic (checked, whatever the verdict).
    private int ReceiveBatch(int index, out int ours)
    {
        var batch = new FrameBatch(_rxData, _rxLengths);
        var clock = Stopwatch.StartNew();
        int count = Nics[index].Receive(ref batch);
        Longest(ref _longestReceive, clock.Elapsed);
        CheckDriver(index, "Receive");
        ours = 0;
        for (int i = 0; i < count; i++)
        {
            if (Check(index, batch.Frame(i))) ours++;
        }
        return count;
    }

    // False for a frame of another traffic.
    private bool Check(int index, ReadOnlySpan<byte> frame)
    {
        if (EtherTypes.Of(frame) != EtherType)
        {
            if (OtherFramesFail) Problem($"NIC {Name(index)} delivered a frame that is not test traffic (EtherType 0x{EtherTypes.Of(frame):X4}, {frame.Length} bytes)");
            return false;
        }
        if (frame.Length < TestFrame.HeaderLength)
        {
            Problem($"NIC {Name(index)} delivered a test frame of only {frame.Length} bytes");
            return true;
        }
        MacAddress to = MacAddress.From(frame), from = MacAddress.From(frame.Slice(6));
        long id = TestFrame.Id(frame);
        if (!_flows.TryGetValue((from.Bits, to.Bits), out TrafficFlow? flow))
        {
            Problem($"NIC {Name(index)} delivered test frame {id} from {from} to {to}, which no flow of this traffic sent");
            return true;
        }
        switch (flow.Deliver(frame, id, WireKeepsOrder))
        {
            case Delivery.Fresh:
                _delivered[index]++;
                break;
            case Delivery.OutOfOrder:
                _delivered[index]++;
                Problem($"NIC {Name(index)} delivered frame {id} of {flow} after frame {flow.Highest}, on a wire that keeps order");
                break;
            case Delivery.NeverSent:
                Problem($"NIC {Name(index)} delivered frame {id} of {flow}, which was never sent ({flow.Sent} were)");
                break;
            case Delivery.Corrupted:
                Problem($"NIC {Name(index)} delivered frame {id} of {flow} corrupted ({frame.Length} bytes; {TestFrame.Length(id)} were sent)");
                break;
            case Delivery.Duplicate:
                Problem($"NIC {Name(index)} delivered frame {id} of {flow} twice");
                break;
        }
        return true;
    }

    private void CheckDriver(int index, string call)
    {
        NicStatus status = Nics[index].LastError;
        if (DriverErrorsFail && status != NicStatus.Ok) Problem($"NIC {Name(index)}: {call} left LastError {status}");
    }

    private void Problem(string problem)
    {
        ProblemCount++;
        if (_problems.Count < ProblemsKept) _problems.Add($"step {Steps}: {problem}");
        if (!CountProblems) throw new TrafficException(problem);
    }

    private TrafficFlow FlowOf(MacAddress from, MacAddress to, bool remote)
    {
        if (!_flows.TryGetValue((from.Bits, to.Bits), out TrafficFlow? flow))
            _flows.Add((from.Bits, to.Bits), flow = new TrafficFlow(EtherType, from, to, remote));
        if (flow.Remote != remote) throw new InvalidOperationException($"{flow} is sent {(flow.Remote ? "by another program" : "here")}");
        return flow;
    }

    private MacAddress Peer(int from)
        => Nics.Length == 2 ? Nics[1 - from].Mac : throw new InvalidOperationException("with one NIC, say where its frames go");

    private static void Longest(ref TimeSpan longest, TimeSpan took)
    {
        if (took > longest) longest = took;
    }
}
