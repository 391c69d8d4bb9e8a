using System;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime;

namespace Regs.Probes;

/// <summary>What <see cref="GatewayProbe.Run"/> found out.</summary>
public struct GatewayProbeResult
{
    /// <summary>The transmit ring took the ARP request.</summary>
    public bool ArpSent;
    /// <summary>The gateway answered the ARP request.</summary>
    public bool ArpReplied;
    /// <summary>The gateway's MAC address, from its ARP reply.</summary>
    public MacAddress GatewayMac;
    /// <summary>The transmit ring took the echo request.</summary>
    public bool EchoSent;
    /// <summary>The gateway answered the ICMP echo request.</summary>
    public bool EchoReplied;
    /// <summary>Microseconds from sending the ARP request to its reply.</summary>
    public ulong ArpMicroseconds;
    /// <summary>Microseconds from sending the echo request to its reply.</summary>
    public ulong EchoMicroseconds;
}

/// <summary>
/// The first conversation of a NIC bring-up, in the bare-metal subset (no allocation, no
/// delegates): ARP for the gateway, then ping it. Other frames that arrive meanwhile are ignored.
/// Every wait is bounded by the platform clock.
/// </summary>
public static class GatewayProbe
{
    /// <summary>The ICMP echo identifier the probe uses ("RG"), so its reply is told apart from others.</summary>
    public const ushort EchoIdentifier = 0x5247;

    /// <summary>ARPs for <paramref name="gatewayIp"/> from <paramref name="ip"/> and pings it, each step waiting at most <paramref name="timeoutMicroseconds"/>.</summary>
    public static GatewayProbeResult Run<TNic, TClock>(ref TNic nic, uint ip, uint gatewayIp, uint timeoutMicroseconds)
        where TNic : INic where TClock : struct, IClock
    {
        GatewayProbeResult result = default;
        Span<byte> frame = stackalloc byte[FrameBatch.SlotSize];
        int ignored = 0;

        ulong start = TClock.NowMicroseconds();
        if (!(result.ArpSent = FrameWait.Send(ref nic, frame.Slice(0, EthernetFrames.ArpRequest(frame, nic.Mac, ip, gatewayIp))))) return result;
        var arpReply = new ArpReplyFrom { Ip = gatewayIp, To = ip };
        int length = FrameWait.Until<TNic, TClock, ArpReplyFrom>(ref nic, ref arpReply, frame, timeoutMicroseconds, ref ignored);
        if (length == 0 || !EthernetFrames.TryParseArp(frame.Slice(0, length), out ArpPacket arp)) return result;
        result.ArpReplied = true;
        result.GatewayMac = arp.SenderMac;
        result.ArpMicroseconds = TClock.NowMicroseconds() - start;

        start = TClock.NowMicroseconds();
        length = EthernetFrames.IcmpEcho(frame, false, nic.Mac, ip, result.GatewayMac, gatewayIp, EchoIdentifier, 1, "regs"u8);
        if (!(result.EchoSent = FrameWait.Send(ref nic, frame.Slice(0, length)))) return result;
        var echoReply = new EchoReplyFrom { Ip = gatewayIp, Identifier = EchoIdentifier };
        if (FrameWait.Until<TNic, TClock, EchoReplyFrom>(ref nic, ref echoReply, frame, timeoutMicroseconds, ref ignored) == 0) return result;
        result.EchoReplied = true;
        result.EchoMicroseconds = TClock.NowMicroseconds() - start;
        return result;
    }
}
