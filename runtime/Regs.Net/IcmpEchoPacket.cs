namespace Regs.Net;

/// <summary>An ICMP echo request or reply in an IPv4 frame (RFC 792).</summary>
public readonly struct IcmpEchoPacket
{
    /// <summary>True for a reply (type 0), false for a request (type 8).</summary>
    public readonly bool IsReply;
    /// <summary>Ethernet source.</summary>
    public readonly MacAddress Source;
    /// <summary>IPv4 source.</summary>
    public readonly uint SourceIp;
    /// <summary>Ethernet destination.</summary>
    public readonly MacAddress Destination;
    /// <summary>IPv4 destination.</summary>
    public readonly uint DestinationIp;
    /// <summary>Echo identifier.</summary>
    public readonly ushort Identifier;
    /// <summary>Echo sequence number.</summary>
    public readonly ushort Sequence;
    /// <summary>Bytes of echo data.</summary>
    public readonly int PayloadLength;

    /// <summary>A parsed packet.</summary>
    public IcmpEchoPacket(bool isReply, MacAddress source, uint sourceIp, MacAddress destination, uint destinationIp, ushort identifier, ushort sequence, int payloadLength)
    {
        IsReply = isReply; Source = source; SourceIp = sourceIp; Destination = destination; DestinationIp = destinationIp;
        Identifier = identifier; Sequence = sequence; PayloadLength = payloadLength;
    }
}
