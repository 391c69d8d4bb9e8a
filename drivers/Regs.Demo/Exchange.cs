using System;
using System.Diagnostics;
using Regs.Nic;
using Regs.Nic.Ethernet;

namespace Regs.Demo;

/// <summary>
/// The conversations the demo holds, generic over the NICs as any application would be: ARP and
/// ICMP echo between two NICs (the far one answering), and with a gateway. Every wait is bounded.
/// </summary>
public static class Exchange
{
    private const uint TimeoutMicroseconds = 2_000_000;

    /// <summary>A asks who has <paramref name="ipB"/>, B answers; then A pings B. Prints each step; false if one failed.</summary>
    public static bool ArpAndPing<TA, TB>(ref TA a, string nameA, uint ipA, ref TB b, string nameB, uint ipB) where TA : INic where TB : INic
    {
        var clock = Stopwatch.StartNew();
        byte[] frame = new byte[FrameBatch.SlotSize];
        int length = EthernetFrames.ArpRequest(frame, a.Mac, ipA, ipB);
        Send(ref a, frame.AsSpan(0, length));
        if (!AnswerOne(ref b, ipB, ipA)) return Report($"{nameA} -> {nameB}: ARP who-has {Ip(ipB)}: {nameB} never saw it", false);
        if (!Await(ref a, f => EthernetFrames.TryParseArp(f, out var r) && r.Operation == 2 && r.SenderIp == ipB, out byte[] reply))
            return Report($"{nameA} -> {nameB}: ARP who-has {Ip(ipB)}: no reply", false);
        EthernetFrames.TryParseArp(reply, out ArpPacket arp);
        bool right = arp.SenderMac.Bits == b.Mac.Bits;
        Report($"{nameA} -> {nameB}: ARP who-has {Ip(ipB)}  ->  is-at {Text(arp.SenderMac)}{(right ? "" : $", not {nameB}'s {Text(b.Mac)}")}  ({clock.Elapsed.TotalMilliseconds:F1} ms)", right);
        if (!right) return false;

        clock.Restart();
        length = EthernetFrames.IcmpEcho(frame, false, a.Mac, ipA, arp.SenderMac, ipB, 1, 1, "regs demo"u8);
        Send(ref a, frame.AsSpan(0, length));
        if (!AnswerOne(ref b, ipB, ipA)) return Report($"{nameA} -> {nameB}: ICMP echo: {nameB} never saw it", false);
        bool ok = Await(ref a, f => EthernetFrames.TryParseIcmpEcho(f, out var e) && e.IsReply && e.SourceIp == ipB, out _);
        string state = ok ? "" : $" [{nameA}: {a.LastError}, {Counters(a.Stats())}; {nameB}: {b.LastError}, {Counters(b.Stats())}; ignored so far: {string.Join(" | ", Ignored)}]";
        return Report($"{nameA} -> {nameB}: ICMP echo request {Ip(ipA)} -> {Ip(ipB)}  ->  {(ok ? "reply" : "no reply")}  ({clock.Elapsed.TotalMilliseconds:F1} ms){state}", ok);
    }

    /// <summary>ARP for the gateway and ping it (QEMU's slirp answers both).</summary>
    public static bool WithGateway<TNic>(ref TNic nic, string name, uint ip, uint gatewayIp) where TNic : INic
    {
        var clock = Stopwatch.StartNew();
        byte[] frame = new byte[FrameBatch.SlotSize];
        int length = EthernetFrames.ArpRequest(frame, nic.Mac, ip, gatewayIp);
        Send(ref nic, frame.AsSpan(0, length));
        if (!Await(ref nic, f => EthernetFrames.TryParseArp(f, out var r) && r.Operation == 2 && r.SenderIp == gatewayIp, out byte[] reply))
            return Report($"{name} -> gateway: ARP who-has {Ip(gatewayIp)}: no reply", false);
        EthernetFrames.TryParseArp(reply, out ArpPacket arp);
        Report($"{name} -> gateway: ARP who-has {Ip(gatewayIp)}  ->  is-at {Text(arp.SenderMac)}  ({clock.Elapsed.TotalMilliseconds:F1} ms)", true);
        clock.Restart();
        length = EthernetFrames.IcmpEcho(frame, false, nic.Mac, ip, arp.SenderMac, gatewayIp, 2, 1, "regs demo"u8);
        Send(ref nic, frame.AsSpan(0, length));
        bool ok = Await(ref nic, f => EthernetFrames.TryParseIcmpEcho(f, out var e) && e.IsReply && e.SourceIp == gatewayIp, out _);
        return Report($"{name} -> gateway: ICMP echo request {Ip(ip)} -> {Ip(gatewayIp)}  ->  {(ok ? "reply" : "no reply")}  ({clock.Elapsed.TotalMilliseconds:F1} ms)", ok);
    }

    /// <summary>Waits (bounded) for the link to come up.</summary>
    public static bool WaitForLink<TNic>(ref TNic nic) where TNic : INic
    {
        var deadline = Stopwatch.StartNew();
        while (!nic.Link().Up && deadline.ElapsedMilliseconds < 3000) nic.WaitForReceive(20_000);
        return nic.Link().Up;
    }

    private static string Describe(ReadOnlySpan<byte> f)
    {
        string head = $"{Text(MacAddress.From(f.Slice(6)))}>{Text(MacAddress.From(f))} len {f.Length}";
        if (EthernetFrames.TryParseArp(f, out var arp)) return $"{head} ARP op {arp.Operation} {Ip(arp.SenderIp)}->{Ip(arp.TargetIp)}";
        if (EthernetFrames.TryParseIcmpEcho(f, out var e)) return $"{head} ICMP {(e.IsReply ? "reply" : "request")} {Ip(e.SourceIp)}->{Ip(e.DestinationIp)} seq {e.Sequence}";
        return $"{head} type {f[12]:x2}{f[13]:x2}";
    }

    private static string Counters(NicStats s) => $"tx {s.TxFrames} rx {s.RxFrames} irq {s.Interrupts} protocol errors {s.ProtocolErrors}";

    private static void Send<TNic>(ref TNic nic, ReadOnlySpan<byte> frame) where TNic : INic
    {
        var batch = new FrameBatch(new byte[FrameBatch.SlotSize], new ushort[1]);
        batch.Add(frame);
        nic.Send(batch);
    }

    // Frames that arrived and did not match, described, for the report when an exchange fails.
    private static readonly System.Collections.Generic.List<string> Ignored = new();

    // Receives until a frame matches (bounded); frames that do not match are ignored. One frame
    // per receive, so nothing behind the match is taken from the ring and lost.
    private static bool Await<TNic>(ref TNic nic, Func<byte[], bool> match, out byte[] frame) where TNic : INic
    {
        var batch = new FrameBatch(new byte[FrameBatch.SlotSize], new ushort[1]);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalMicroseconds < TimeoutMicroseconds)
        {
            nic.WaitForReceive(50_000);
            int count = nic.Receive(ref batch);
            for (int i = 0; i < count; i++)
            {
                if (match(batch.Frame(i).ToArray())) { frame = batch.Frame(i).ToArray(); return true; }
                Ignored.Add(Describe(batch.Frame(i)));
            }
        }
        frame = Array.Empty<byte>();
        return false;
    }

    // The far NIC serves like a host stack: it answers every ARP request and echo request for its
    // address (on QEMU's hub slirp asks too: it ARPs for addresses it sees in traffic) until it has
    // answered the one from `peerIp`.
    private static bool AnswerOne<TNic>(ref TNic nic, uint ip, uint peerIp) where TNic : INic
    {
        MacAddress mac = nic.Mac;
        byte[] answer = new byte[FrameBatch.SlotSize];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalMicroseconds < TimeoutMicroseconds)
        {
            if (!Await(ref nic, f => EthernetFrames.Answer(f, mac, ip, answer) > 0, out byte[] asked)) return false;
            Send(ref nic, answer.AsSpan(0, EthernetFrames.Answer(asked, mac, ip, answer)));
            if (SenderIp(asked) == peerIp) return true;
        }
        return false;
    }

    private static uint SenderIp(ReadOnlySpan<byte> frame)
    {
        if (EthernetFrames.TryParseArp(frame, out var arp)) return arp.SenderIp;
        return EthernetFrames.TryParseIcmpEcho(frame, out var echo) ? echo.SourceIp : 0;
    }

    private static bool Report(string line, bool ok)
    {
        Console.WriteLine($"  {(ok ? "ok  " : "FAIL")}  {line}");
        return ok;
    }

    /// <summary>aa:bb:cc:dd:ee:ff.</summary>
    public static string Text(MacAddress mac)
    {
        Span<byte> text = stackalloc byte[17];
        mac.Format(text);
        return System.Text.Encoding.ASCII.GetString(text);
    }

    /// <summary>Dotted IPv4.</summary>
    public static string Ip(uint ip) => $"{ip >> 24}.{(ip >> 16) & 255}.{(ip >> 8) & 255}.{ip & 255}";
}
