using System;
using Regs.Net;

namespace Regs.Runtime.Models;

/// <summary>
/// The far end of a cable that behaves like QEMU's slirp gateway for the frames a bring-up sends:
/// it answers ARP requests for its address and ICMP echo requests to it. Lets the same tests that
/// talk to 10.0.2.2 under QEMU run on the in-process models.
/// </summary>
public sealed class GatewayModel : DeviceModel
{
    /// <summary>slirp's gateway address, 10.0.2.2.</summary>
    public const uint DefaultIp = SlirpNetwork.Gateway;

    private readonly byte[] _mac = new byte[6];
    private bool _linkUp = true;

    /// <summary>A gateway with slirp's MAC (52:55:0a:00:02:02) and <paramref name="ip"/>.</summary>
    public GatewayModel(ModelNetwork network, uint ip = DefaultIp) : base(network, 0, 4096)
    {
        Ip = ip;
        Address = SlirpNetwork.GatewayMac;
        Address.CopyTo(_mac);
    }

    /// <summary>The gateway's IPv4 address.</summary>
    public uint Ip { get; }

    /// <summary>The gateway's MAC address.</summary>
    public MacAddress Address { get; }

    /// <summary>Frames answered so far.</summary>
    public int Answered { get; private set; }

    /// <inheritdoc/>
    public override bool InterruptAsserted => false;

    /// <inheritdoc/>
    public override bool LinkUp { get => _linkUp; set => _linkUp = value; }

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> Mac => _mac;

    /// <inheritdoc/>
    public override void Deliver(ReadOnlySpan<byte> frame)
    {
        Span<byte> reply = stackalloc byte[1600];
        int length = EthernetFrames.Answer(frame, Address, Ip, reply);
        if (length == 0) return;
        Answered++;
        Transmit(reply.Slice(0, length));
    }
}
