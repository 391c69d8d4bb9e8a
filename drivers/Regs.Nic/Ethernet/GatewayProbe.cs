using System;
using Regs.Runtime;

namespace Regs.Nic.Ethernet;

/// <summary>What <see cref="GatewayProbe.Run"/> found out.</summary>
public struct GatewayProbeResult
{
    /// <summary>The gateway answered the ARP request.</summary>
    public bool ArpReplied;
    /// <summary>The gateway's MAC address, from its ARP reply.</summary>
    public MacAddress GatewayMac;
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
        where TNic : struct, INic where TClock : struct, IClock
    {
        GatewayProbeResult result = default;
        Span<byte> txData = stackalloc byte[FrameBatch.SlotSize];
        Span<ushort> txLength = stackalloc ushort[1];
        Span<byte> rxData = stackalloc byte[4 * FrameBatch.SlotSize];
        Span<ushort> rxLength = stackalloc ushort[4];
        var tx = new FrameBatch(txData, txLength);
        var rx = new FrameBatch(rxData, rxLength);

        tx.SetLength(0, EthernetFrames.ArpRequest(tx.Slot(0), nic.Mac, ip, gatewayIp));
        tx.Count = 1;
        ulong start = TClock.NowMicroseconds();
        nic.Send(tx);
        while (!result.ArpReplied && TClock.NowMicroseconds() - start < timeoutMicroseconds)
        {
            nic.WaitForReceive(10_000);
            int count = nic.Receive(ref rx);
            for (int i = 0; i < count && !result.ArpReplied; i++)
            {
                if (EthernetFrames.TryParseArp(rx.Frame(i), out ArpPacket arp) && arp.Operation == 2 && arp.SenderIp == gatewayIp && arp.TargetIp == ip)
                {
                    result.ArpReplied = true;
                    result.GatewayMac = arp.SenderMac;
                    result.ArpMicroseconds = TClock.NowMicroseconds() - start;
                }
            }
        }
        if (!result.ArpReplied) return result;

        tx.SetLength(0, EthernetFrames.IcmpEcho(tx.Slot(0), false, nic.Mac, ip, result.GatewayMac, gatewayIp, EchoIdentifier, 1, "regs"u8));
        start = TClock.NowMicroseconds();
        nic.Send(tx);
        while (!result.EchoReplied && TClock.NowMicroseconds() - start < timeoutMicroseconds)
        {
            nic.WaitForReceive(10_000);
            int count = nic.Receive(ref rx);
            for (int i = 0; i < count && !result.EchoReplied; i++)
            {
                if (EthernetFrames.TryParseIcmpEcho(rx.Frame(i), out IcmpEchoPacket echo) && echo.IsReply && echo.SourceIp == gatewayIp && echo.Identifier == EchoIdentifier)
                {
                    result.EchoReplied = true;
                    result.EchoMicroseconds = TClock.NowMicroseconds() - start;
                }
            }
        }
        return result;
    }
}
