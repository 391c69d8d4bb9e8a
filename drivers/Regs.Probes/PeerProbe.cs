using System;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime;

namespace Regs.Probes;

/// <summary>The step of a <see cref="PeerProbe"/> that failed.</summary>
public enum PeerProbeFailure
{
    /// <summary>Every step succeeded.</summary>
    None,
    /// <summary>A's transmit ring did not take the ARP request.</summary>
    ArpNotSent,
    /// <summary>B never received A's ARP request.</summary>
    ArpRequestNotSeen,
    /// <summary>A never received B's ARP reply.</summary>
    NoArpReply,
    /// <summary>The ARP reply named another MAC than B's.</summary>
    WrongMac,
    /// <summary>A's transmit ring did not take the echo request.</summary>
    EchoNotSent,
    /// <summary>B never received A's echo request.</summary>
    EchoRequestNotSeen,
    /// <summary>A never received B's echo reply.</summary>
    NoEchoReply,
}

/// <summary>What <see cref="PeerProbe.Run"/> found out.</summary>
public struct PeerProbeResult
{
    /// <summary>The first step that failed; <see cref="PeerProbeFailure.None"/> when the exchange succeeded.</summary>
    public PeerProbeFailure Failure;
    /// <summary>The MAC that B's ARP reply named (0 when there was none).</summary>
    public MacAddress ResolvedMac;
    /// <summary>Microseconds from A's ARP request to the reply.</summary>
    public ulong ArpMicroseconds;
    /// <summary>Microseconds from A's echo request to the reply.</summary>
    public ulong EchoMicroseconds;
    /// <summary>Frames either NIC received meanwhile that were not part of the exchange.</summary>
    public int IgnoredFrames;

    /// <summary>True when every step succeeded.</summary>
    public readonly bool Succeeded => Failure == PeerProbeFailure.None;
}

/// <summary>
/// Two NICs on one wire, both polled from one thread: A resolves B's address by ARP and pings
/// it, while B answers like a host stack (every ARP request for its address and every echo
/// request to it). Bare-metal subset; every wait bounded by <c>TClock</c>.
/// </summary>
public static class PeerProbe
{
    /// <summary>The ICMP echo identifier the probe uses ("RP").</summary>
    public const ushort EchoIdentifier = 0x5250;

    /// <summary>A at <paramref name="ipA"/> ARPs for <paramref name="ipB"/> and pings it; each wait lasts at most <paramref name="timeoutMicroseconds"/>.</summary>
    public static PeerProbeResult Run<TA, TB, TClock>(ref TA a, uint ipA, ref TB b, uint ipB, uint timeoutMicroseconds)
        where TA : INic where TB : INic where TClock : struct, IClock
    {
        PeerProbeResult result = default;
        Span<byte> frame = stackalloc byte[FrameBatch.SlotSize];

        ulong start = TClock.NowMicroseconds();
        if (!FrameWait.Send(ref a, frame.Slice(0, EthernetFrames.ArpRequest(frame, a.Mac, ipA, ipB)))) return Fail(ref result, PeerProbeFailure.ArpNotSent);
        if (!AnswerUntilAsked<TB, TClock>(ref b, ipB, ipA, timeoutMicroseconds, ref result.IgnoredFrames)) return Fail(ref result, PeerProbeFailure.ArpRequestNotSeen);
        var arpReply = new ArpReplyFrom { Ip = ipB, To = ipA };
        int length = FrameWait.Until<TA, TClock, ArpReplyFrom>(ref a, ref arpReply, frame, timeoutMicroseconds, ref result.IgnoredFrames);
        if (length == 0 || !EthernetFrames.TryParseArp(frame.Slice(0, length), out ArpPacket arp)) return Fail(ref result, PeerProbeFailure.NoArpReply);
        result.ArpMicroseconds = TClock.NowMicroseconds() - start;
        result.ResolvedMac = arp.SenderMac;
        if (arp.SenderMac.Bits != b.Mac.Bits) return Fail(ref result, PeerProbeFailure.WrongMac);

        start = TClock.NowMicroseconds();
        length = EthernetFrames.IcmpEcho(frame, false, a.Mac, ipA, arp.SenderMac, ipB, EchoIdentifier, 1, "regs probe"u8);
        if (!FrameWait.Send(ref a, frame.Slice(0, length))) return Fail(ref result, PeerProbeFailure.EchoNotSent);
        if (!AnswerUntilAsked<TB, TClock>(ref b, ipB, ipA, timeoutMicroseconds, ref result.IgnoredFrames)) return Fail(ref result, PeerProbeFailure.EchoRequestNotSeen);
        var echoReply = new EchoReplyFrom { Ip = ipB, Identifier = EchoIdentifier };
        if (FrameWait.Until<TA, TClock, EchoReplyFrom>(ref a, ref echoReply, frame, timeoutMicroseconds, ref result.IgnoredFrames) == 0)
            return Fail(ref result, PeerProbeFailure.NoEchoReply);
        result.EchoMicroseconds = TClock.NowMicroseconds() - start;
        return result;
    }

    private static PeerProbeResult Fail(ref PeerProbeResult result, PeerProbeFailure failure)
    {
        result.Failure = failure;
        return result;
    }

    // The answering side: answers every question for its address (on QEMU's hub slirp asks too:
    // it ARPs for addresses it sees in traffic) until it has answered one from `askerIp`.
    private static bool AnswerUntilAsked<TNic, TClock>(ref TNic nic, uint ip, uint askerIp, uint timeoutMicroseconds, ref int ignored)
        where TNic : INic where TClock : struct, IClock
    {
        Span<byte> question = stackalloc byte[FrameBatch.SlotSize];
        Span<byte> answer = stackalloc byte[FrameBatch.SlotSize];
        var filter = new QuestionFor { Mac = nic.Mac, Ip = ip };
        ulong start = TClock.NowMicroseconds(), elapsed;
        while ((elapsed = TClock.NowMicroseconds() - start) < timeoutMicroseconds)
        {
            // The whole answering side stays within one timeout, however many questions come.
            int length = FrameWait.Until<TNic, TClock, QuestionFor>(ref nic, ref filter, question, (uint)(timeoutMicroseconds - elapsed), ref ignored);
            if (length == 0) return false;
            int answerLength = EthernetFrames.Answer(question.Slice(0, length), nic.Mac, ip, answer);
            FrameWait.Send(ref nic, answer.Slice(0, answerLength));
            if (SenderIp(question.Slice(0, length)) == askerIp) return true;
        }
        return false;
    }

    private static uint SenderIp(ReadOnlySpan<byte> frame)
    {
        if (EthernetFrames.TryParseArp(frame, out ArpPacket arp)) return arp.SenderIp;
        return EthernetFrames.TryParseIcmpEcho(frame, out IcmpEchoPacket echo) ? echo.SourceIp : 0;
    }

    private struct QuestionFor : IFrameFilter
    {
        public MacAddress Mac;
        public uint Ip;

        public readonly bool Accept(ReadOnlySpan<byte> frame)
        {
            Span<byte> answer = stackalloc byte[FrameBatch.SlotSize];
            return EthernetFrames.Answer(frame, Mac, Ip, answer) > 0;
        }
    }
}
