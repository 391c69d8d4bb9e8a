using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Threading;
using Regs.Net;
using Regs.Nic;
using Regs.Tap;
using Xunit;

namespace Regs.Drivers.Tests.Tap;

/// <summary>
/// A NIC whose transmit ring takes at most <see cref="StingyEnd.TakePerSend"/> frames per Send
/// (0: none at all) and records what it took; it never receives.
/// </summary>
internal sealed class StingyEnd
{
    public int TakePerSend;
    public readonly List<byte[]> Taken = new();
    public int SendCalls;
}

internal readonly struct StingyNic : INic
{
    private readonly StingyEnd _end;
    public StingyNic(StingyEnd end) => _end = end;
    public MacAddress Mac => SlirpNetwork.NicMac(0);
    public LinkState Link() => new(true, 1000, true);
    public NicStats Stats() => default;
    public int MaxFrameLength => 1518;
    public NicOffloads Offloads => NicOffloads.None;
    public NicStatus LastError => NicStatus.Ok;
    public NicStatus Reset() => NicStatus.Ok;
    public int Receive(ref FrameBatch batch) { batch.Clear(); return 0; }
    public bool WaitForReceive(uint timeoutMicroseconds) { Thread.Sleep(1); return false; }
    public bool ArmInterrupt() => false;   // no interrupt to sleep on: the bridge uses WaitForReceive
    public bool AcknowledgeInterrupt() => false;

    public int Send(in FrameBatch batch)
    {
        lock (_end)
        {
            _end.SendCalls++;
            int take = Math.Min(batch.Count, _end.TakePerSend);
            for (int i = 0; i < take; i++) _end.Taken.Add(batch.Frame(i).ToArray());
            return take;
        }
    }
}

/// <summary>Frames the NIC does not take at once are offered again, in order, exactly once; a NIC that takes nothing for too long has them dropped and counted, not the bridge wedged.</summary>
[Trait("Category", "Traffic")]
public sealed class TapBridgeBackpressureTests
{
    private const string Sink = "192.0.2.9";
    private const int Port = 9999;

    [Fact]
    public void Frames_the_nic_does_not_take_are_offered_again_in_order_and_sent_exactly_once()
    {
        using var lab = new TapLab();
        var end = new StingyEnd { TakePerSend = 1 };
        NicTapBridge<StingyNic> bridge = lab.Station(new StingyNic(end), TapLab.AddressA, new TapBridgeOptions { BatchFrames = 16 });
        SendDatagrams(lab, 50);

        List<string> payloads = WaitForDatagrams(end, 50);
        var expected = new List<string>();
        for (int i = 0; i < 50; i++) expected.Add($"regs{i:D4}");
        Assert.Equal(expected, payloads);
        TapBridgeCounters c = bridge.Counters;
        Assert.Equal(0ul, c.Drops);
        lock (end) Assert.Equal((ulong)end.Taken.Count, c.TapToNicFrames);
        lock (end) Assert.True(end.SendCalls >= 50, $"{end.SendCalls} Send calls for 50 datagrams taken one at a time");
    }

    [Fact]
    public void Frames_a_nic_never_takes_are_dropped_and_counted_after_the_stall_time()
    {
        using var lab = new TapLab();
        var end = new StingyEnd { TakePerSend = 0 };
        NicTapBridge<StingyNic> bridge = lab.Station(new StingyNic(end), TapLab.AddressA, new TapBridgeOptions { TransmitStallMicroseconds = 200_000 });
        SendDatagrams(lab, 5);
        var clock = Stopwatch.StartNew();
        while (bridge.Counters.TransmitStallDrops < 5 && clock.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(20);
        TapBridgeCounters c = bridge.Counters;
        Assert.True(c.TransmitStallDrops >= 5, c.ToString());
        Assert.Equal(0ul, c.TapToNicFrames);
        // The bridge is not wedged: a NIC that takes frames again gets the next ones.
        lock (end) end.TakePerSend = 64;
        SendDatagrams(lab, 3, first: 100);
        List<string> payloads = WaitForDatagrams(end, 3);
        Assert.Equal(new[] { "regs0100", "regs0101", "regs0102" }, payloads);
    }

    // UDP datagrams "regsNNNN" from station A to a sink with a permanent neighbour entry (no ARP).
    private static void SendDatagrams(TapLab lab, int count, int first = 0)
    {
        TapLab.Ip("-n", lab.NamespaceA, "neigh", "replace", Sink, "lladdr", "02:00:00:00:00:09", "dev", lab.NamespaceA, "nud", "permanent");
        var (code, output) = TapLab.InNamespace(lab.NamespaceA, TimeSpan.FromSeconds(30), TapLab.Python, "-c",
            $"import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor i in range({first}, {first + count}): s.sendto(b'regs%04d' % i, ('{Sink}', {Port}))");
        Assert.True(code == 0, output);
    }

    // The payloads of the UDP datagrams to the sink the NIC took, in order, once `count` arrived (bounded).
    private static List<string> WaitForDatagrams(StingyEnd end, int count)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var payloads = new List<string>();
            lock (end)
                foreach (byte[] f in end.Taken)
                    if (f.Length >= 42 + 8 && f[12] == 0x08 && f[13] == 0 && f[23] == 17 && f[36] * 256 + f[37] == Port)
                        payloads.Add(Encoding.ASCII.GetString(f, 42, 8));
            if (payloads.Count >= count || clock.Elapsed > TimeSpan.FromSeconds(10)) return payloads;
            Thread.Sleep(20);
        }
    }
}
