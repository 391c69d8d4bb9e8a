using System;
using System.Collections.Generic;
using Regs.Net;
using Regs.Nic;
using Regs.Probes;
using Regs.Runtime.Hosted;
using Regs.Testing.Traffic;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>
/// What every NIC must do, whatever the driver and backend: resolve and ping a gateway, talk to
/// another NIC, move numbered traffic (<see cref="Traffic"/>), notice link changes. Generic over
/// the NIC types, as an application would be.
/// </summary>
public static class NicScenarios
{
    /// <summary>slirp's guest address.</summary>
    public const uint StationIp = SlirpNetwork.FirstGuest;
    /// <summary>slirp's gateway.</summary>
    public const uint GatewayIp = SlirpNetwork.Gateway;

    private const uint Second = 1_000_000;

    /// <summary>A batch over fresh arrays.</summary>
    private static FrameBatch NewBatch(int slots) => new(new byte[slots * FrameBatch.SlotSize], new FrameEntry[slots]);

    /// <summary>Sends <paramref name="frames"/> (all of them, retrying while the ring is full) and returns them.</summary>
    private static void SendAll<TNic>(ref TNic nic, IReadOnlyList<byte[]> frames) where TNic : INic
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
    private static byte[]? ReceiveUntil<TNic>(ref TNic nic, Func<byte[], bool> accept, uint timeoutMicroseconds, List<byte[]>? seen = null) where TNic : INic
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
    /// Numbered traffic between <paramref name="a"/> and <paramref name="b"/> as the scenarios
    /// check it: any driver error fails, other frames (ARP, ICMP) are passed over unless
    /// <paramref name="otherFramesFail"/>, a burst may take 30 s (QEMU under load).
    /// </summary>
    public static NicTraffic<INic> Traffic(INic a, INic b, bool wireKeepsOrder, bool otherFramesFail = false)
        => new(a, b) { WireKeepsOrder = wireKeepsOrder, DriverErrorsFail = true, OtherFramesFail = otherFramesFail, BurstLimit = TimeSpan.FromSeconds(30) };

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
