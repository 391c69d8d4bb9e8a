using System;
using Regs.Net;

namespace Regs.Probes;

/// <summary>An ARP reply from <c>Ip</c> to <c>To</c>.</summary>
internal struct ArpReplyFrom : IFrameFilter
{
    public uint Ip, To;

    public readonly bool Accept(ReadOnlySpan<byte> frame)
        => EthernetFrames.TryParseArp(frame, out ArpPacket arp) && arp.Operation == 2 && arp.SenderIp == Ip && arp.TargetIp == To;
}

/// <summary>An ICMP echo reply from <c>Ip</c> carrying the probe's <c>Identifier</c>.</summary>
internal struct EchoReplyFrom : IFrameFilter
{
    public uint Ip;
    public ushort Identifier;

    public readonly bool Accept(ReadOnlySpan<byte> frame)
        => EthernetFrames.TryParseIcmpEcho(frame, out IcmpEchoPacket echo) && echo.IsReply && echo.SourceIp == Ip && echo.Identifier == Identifier;
}
