using System;
using System.Collections.Generic;
using System.Linq;
using Regs.Net;
using Regs.Nic;
using Regs.Probes;
using Regs.Runtime.Hosted;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>
/// What every NIC must do, whatever the driver and backend: resolve and ping a gateway, talk to
/// another NIC, move bursts without loss or duplication, notice link changes. Generic over the
/// NIC types, as an application would be.
/// </summary>
public static class NicScenarios
{
    /// <summary>slirp's guest address.</summary>
    public const uint StationIp = 0x0A00020F;       // 10.0.2.15
    /// <summary>slirp's gateway.</summary>
    public const uint GatewayIp = 0x0A000202;       // 10.0.2.2
    /// <summary>An EtherType for test payloads (IEEE local experimental).</summary>
    public const ushort TestEtherType = 0x88B5;

    private const uint Second = 1_000_000;

    /// <summary>A batch over fresh arrays.</summary>
    public static FrameBatch NewBatch(int slots) => new(new byte[slots * FrameBatch.SlotSize], new ushort[slots]);

    /// <summary>Sends <paramref name="frames"/> (all of them, retrying while the ring is full) and returns them.</summary>
    public static void SendAll<TNic>(ref TNic nic, IReadOnlyList<byte[]> frames) where TNic : INic
    {
        int next = 0;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (next < frames.Count)
        {
            var batch = NewBatch(Math.Min(32, frames.Count - next));
            for (int i = 0; i < batch.Capacity; i++) Assert.True(batch.Add(frames[next + i]));
            int sent = nic.Send(batch);
            Assert.Equal(NicStatus.Ok, nic.LastError);
            next += sent;
            if (sent == 0) Assert.True(DateTime.UtcNow < deadline, "the transmit ring never drained");
        }
    }

    /// <summary>
    /// Receives until <paramref name="accept"/> returns true for a frame or the time runs out; the
    /// frames seen go to <paramref name="seen"/>. One frame per receive, so frames behind the
    /// accepted one stay in the ring for the next call.
    /// </summary>
    public static byte[]? ReceiveUntil<TNic>(ref TNic nic, Func<byte[], bool> accept, uint timeoutMicroseconds, List<byte[]>? seen = null) where TNic : INic
    {
        var deadline = DateTime.UtcNow.AddTicks(timeoutMicroseconds * 10L);
        var batch = NewBatch(1);
        while (DateTime.UtcNow < deadline)
        {
            nic.WaitForReceive(50_000);
            int count = nic.Receive(ref batch);
            Assert.Equal(NicStatus.Ok, nic.LastError);
            for (int i = 0; i < count; i++)
            {
                byte[] frame = batch.Frame(i).ToArray();
                seen?.Add(frame);
                if (accept(frame)) return frame;
            }
        }
        return null;
    }

    /// <summary>ARP for <paramref name="targetIp"/> and return the MAC that answered; fails the test if nobody did.</summary>
    public static MacAddress Resolve<TNic>(ref TNic nic, uint myIp, uint targetIp, List<byte[]>? sent = null) where TNic : INic
    {
        byte[] request = new byte[EthernetFrames.MinimumLength];
        EthernetFrames.ArpRequest(request, nic.Mac, myIp, targetIp);
        for (int attempt = 0; attempt < 5; attempt++)
        {
            SendAll(ref nic, new[] { request });
            sent?.Add(request);
            byte[]? reply = ReceiveUntil(ref nic, f => EthernetFrames.TryParseArp(f, out var a) && a.Operation == 2 && a.SenderIp == targetIp && a.TargetIp == myIp, Second);
            if (reply != null)
            {
                EthernetFrames.TryParseArp(reply, out var arp);
                Assert.Equal(nic.Mac.Bits, arp.TargetMac.Bits);
                return arp.SenderMac;
            }
        }
        Assert.Fail($"no ARP reply from {Ipv4.Text(targetIp)}");
        return default;
    }

    /// <summary>Sends an ICMP echo request and waits for the matching reply; fails the test if none came.</summary>
    public static IcmpEchoPacket Ping<TNic>(ref TNic nic, uint myIp, MacAddress targetMac, uint targetIp, ushort sequence, List<byte[]>? sent = null) where TNic : INic
    {
        byte[] payload = new byte[56];
        for (int i = 0; i < payload.Length; i++) payload[i] = (byte)(i + sequence);
        byte[] frame = new byte[128];
        int length = EthernetFrames.IcmpEcho(frame, false, nic.Mac, myIp, targetMac, targetIp, 0x5245, sequence, payload);
        byte[] request = frame.AsSpan(0, length).ToArray();
        for (int attempt = 0; attempt < 5; attempt++)
        {
            SendAll(ref nic, new[] { request });
            sent?.Add(request);
            byte[]? reply = ReceiveUntil(ref nic, f => EthernetFrames.TryParseIcmpEcho(f, out var e) && e.IsReply && e.Sequence == sequence && e.SourceIp == targetIp, Second);
            if (reply != null)
            {
                EthernetFrames.TryParseIcmpEcho(reply, out var echo);
                Assert.Equal(0x5245, echo.Identifier);
                Assert.Equal(payload.Length, echo.PayloadLength);
                return echo;
            }
        }
        Assert.Fail($"no ICMP echo reply from {Ipv4.Text(targetIp)}");
        return default;
    }

    /// <summary>The slirp exchange: ARP for 10.0.2.2, then ping it. Returns the frames sent.</summary>
    public static List<byte[]> ArpAndPingGateway<TNic>(ref TNic nic) where TNic : INic
    {
        var sent = new List<byte[]>();
        MacAddress gateway = Resolve(ref nic, StationIp, GatewayIp, sent);
        Assert.NotEqual(0ul, gateway.Bits);
        Ping(ref nic, StationIp, gateway, GatewayIp, 1, sent);
        return sent;
    }

    /// <summary>
    /// Two NICs on one wire: A resolves B (the reply must carry B's MAC) and pings it while B
    /// answers like a host stack (<see cref="PeerProbe"/>), both polled from this thread.
    /// </summary>
    public static void ArpAndPingBetween<TA, TB>(ref TA a, uint ipA, ref TB b, uint ipB) where TA : INic where TB : INic
    {
        PeerProbeResult probe = PeerProbe.Run<TA, TB, MonotonicClock>(ref a, ipA, ref b, ipB, 2 * Second);
        Assert.True(probe.Succeeded, $"ARP or ICMP from {Ipv4.Text(ipA)} to {Ipv4.Text(ipB)} failed: {probe.Failure} (resolved {probe.ResolvedMac}, "
            + $"{probe.IgnoredFrames} other frames; A: {a.LastError}, B: {b.LastError})");
        Assert.Equal(b.Mac.Bits, probe.ResolvedMac.Bits);
    }

    /// <summary>
    /// Sends <paramref name="count"/> numbered frames of varied lengths from A to B in batches of
    /// <paramref name="batch"/> and checks B gets each exactly once, byte for byte, and in order
    /// when <paramref name="wireKeepsOrder"/>. Returns the frames sent.
    /// </summary>
    public static List<byte[]> Burst<TA, TB>(ref TA a, ref TB b, int count, int batch, bool wireKeepsOrder) where TA : INic where TB : INic
    {
        var frames = new List<byte[]>();
        for (int i = 0; i < count; i++)
        {
            var f = new byte[60 + (i * 37) % 1400];
            b.Mac.CopyTo(f);
            a.Mac.CopyTo(f.AsSpan(6));
            f[12] = TestEtherType >> 8; f[13] = TestEtherType & 0xFF;
            BitConverter.TryWriteBytes(f.AsSpan(14), i);
            for (int j = 18; j < f.Length; j++) f[j] = (byte)(i * 7 + j);
            frames.Add(f);
        }
        var received = new List<byte[]>();
        int next = 0;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var rx = NewBatch(64);
        while (received.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"burst stalled: {received.Count}/{count} received");
            if (next < count)
            {
                var tx = NewBatch(Math.Min(batch, count - next));
                for (int i = 0; i < tx.Capacity; i++) tx.Add(frames[next + i]);
                next += a.Send(tx);
                Assert.Equal(NicStatus.Ok, a.LastError);
            }
            b.WaitForReceive(next < count ? 0u : 50_000u);
            int n = b.Receive(ref rx);
            Assert.Equal(NicStatus.Ok, b.LastError);
            for (int i = 0; i < n; i++)
                if (rx.Length(i) >= 14 && rx.Frame(i)[12] == TestEtherType >> 8 && rx.Frame(i)[13] == (TestEtherType & 0xFF))
                    received.Add(rx.Frame(i).ToArray());
        }
        // Each frame exactly once (the loop above stops at count, so a duplicate means a loss).
        var sequence = received.Select(r => BitConverter.ToInt32(r, 14)).ToList();
        var missing = Enumerable.Range(0, count).Except(sequence).ToList();
        Assert.True(missing.Count == 0, $"frames lost or duplicated: missing {string.Join(",", missing)}");
        if (!wireKeepsOrder) received = received.OrderBy(r => BitConverter.ToInt32(r, 14)).ToList();
        for (int i = 0; i < count; i++)
        {
            // Drivers deliver what the wire carried; a NIC does not strip or pad frames of 60+ bytes.
            Assert.Equal(i, BitConverter.ToInt32(received[i], 14));
            Assert.Equal(frames[i], received[i]);
        }
        return frames;
    }

    /// <summary>Polls <see cref="INic.Link"/> until it reports <paramref name="up"/>; fails the test after the timeout.</summary>
    public static void WaitForLink<TNic>(ref TNic nic, bool up, uint timeoutMicroseconds = 5 * Second) where TNic : INic
    {
        var deadline = DateTime.UtcNow.AddTicks(timeoutMicroseconds * 10L);
        while (nic.Link().Up != up)
        {
            Assert.True(DateTime.UtcNow < deadline, $"link never went {(up ? "up" : "down")}");
            nic.WaitForReceive(20_000);
            var drain = NewBatch(8);
            nic.Receive(ref drain);
        }
    }
}
