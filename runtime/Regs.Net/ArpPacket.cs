namespace Regs.Net;

/// <summary>An ARP packet for IPv4 over Ethernet (RFC 826).</summary>
public readonly struct ArpPacket
{
    /// <summary>1 request, 2 reply.</summary>
    public readonly ushort Operation;
    /// <summary>Sender hardware address.</summary>
    public readonly MacAddress SenderMac;
    /// <summary>Sender protocol address.</summary>
    public readonly uint SenderIp;
    /// <summary>Target hardware address (zero in a request).</summary>
    public readonly MacAddress TargetMac;
    /// <summary>Target protocol address.</summary>
    public readonly uint TargetIp;

    /// <summary>A parsed packet.</summary>
    public ArpPacket(ushort operation, MacAddress senderMac, uint senderIp, MacAddress targetMac, uint targetIp)
    {
        Operation = operation; SenderMac = senderMac; SenderIp = senderIp; TargetMac = targetMac; TargetIp = targetIp;
    }
}
