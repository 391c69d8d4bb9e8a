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
        if (!AnswerOne(ref b, ipB)) return Report($"{nameA} -> {nameB}: ARP who-has {Ip(ipB)}: {nameB} never saw it", false);
        if (!Await(ref a, f => EthernetFrames.TryParseArp(f, out var r) && r.Operation == 2 && r.SenderIp == ipB, out byte[] reply))
            return Report($"{nameA} -> {nameB}: ARP who-has {Ip(ipB)}: no reply", false);
        EthernetFrames.TryParseArp(reply, out ArpPacket arp);
        Report($"{nameA} -> {nameB}: ARP who-has {Ip(ipB)}  ->  is-at {Text(arp.SenderMac)}  ({clock.Elapsed.TotalMilliseconds:F1} ms)", true);

        clock.Restart();
        length = EthernetFrames.IcmpEcho(frame, false, a.Mac, ipA, arp.SenderMac, ipB, 1, 1, "regs demo"u8);
        Send(ref a, frame.AsSpan(0, length));
        if (!AnswerOne(ref b, ipB)) return Report($"{nameA} -> {nameB}: ICMP echo: {nameB} never saw it", false);
        bool ok = Await(ref a, f => EthernetFrames.TryParseIcmpEcho(f, out var e) && e.IsReply && e.SourceIp == ipB, out _);
        string state = ok ? "" : $" [{nameA}: {a.LastError}, {Counters(a.Stats())}; {nameB}: {b.LastError}, {Counters(b.Stats())}]";
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

    private static string Counters(NicStats s) => $"tx {s.TxFrames} rx {s.RxFrames} irq {s.Interrupts} protocol errors {s.ProtocolErrors}";

    private static void Send<TNic>(ref TNic nic, ReadOnlySpan<byte> frame) where TNic : INic
    {
        var batch = new FrameBatch(new byte[FrameBatch.SlotSize], new ushort[1]);
        batch.Add(frame);
        nic.Send(batch);
    }

    // Receives until a frame matches (bounded); frames that do not match are ignored.
    private static bool Await<TNic>(ref TNic nic, Func<byte[], bool> match, out byte[] frame) where TNic : INic
    {
        var batch = new FrameBatch(new byte[8 * FrameBatch.SlotSize], new ushort[8]);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalMicroseconds < TimeoutMicroseconds)
        {
            nic.WaitForReceive(50_000);
            int count = nic.Receive(ref batch);
            for (int i = 0; i < count; i++)
                if (match(batch.Frame(i).ToArray())) { frame = batch.Frame(i).ToArray(); return true; }
        }
        frame = Array.Empty<byte>();
        return false;
    }

    // The far NIC answers the first frame meant for it, as a host stack would.
    private static bool AnswerOne<TNic>(ref TNic nic, uint ip) where TNic : INic
    {
        MacAddress mac = nic.Mac;
        byte[] answer = new byte[FrameBatch.SlotSize];
        if (!Await(ref nic, f => EthernetFrames.Answer(f, mac, ip, answer) > 0, out byte[] asked)) return false;
        Send(ref nic, answer.AsSpan(0, EthernetFrames.Answer(asked, mac, ip, answer)));
        return true;
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
