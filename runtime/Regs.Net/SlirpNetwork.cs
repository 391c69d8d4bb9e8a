namespace Regs.Net;

/// <summary>
/// The addresses of QEMU's user-mode network (slirp) and of QEMU's default NIC MACs: the network
/// the demo, the bare-metal image and the tests live on, and which the in-process gateway model
/// imitates. Constants, so bare-metal code can use them.
/// </summary>
public static class SlirpNetwork
{
    /// <summary>The gateway, 10.0.2.2: it answers ARP and ICMP echo (and DHCP, DNS at .3).</summary>
    public const uint Gateway = 0x0A00_0202;
    /// <summary>The gateway's MAC, 52:55:0a:00:02:02, as <see cref="MacAddress.Bits"/>.</summary>
    public const ulong GatewayMacBits = 0x0202_000A_5552ul;
    /// <summary>The first address slirp's DHCP hands out, 10.0.2.15.</summary>
    public const uint FirstGuest = 0x0A00_020F;
    /// <summary>The MAC QEMU gives its first NIC, 52:54:00:12:34:56, as <see cref="MacAddress.Bits"/>; the n-th NIC's last byte is 0x56 + n.</summary>
    public const ulong FirstNicMacBits = 0x5634_1200_5452ul;

    /// <summary>The gateway's MAC.</summary>
    public static MacAddress GatewayMac => new(GatewayMacBits);

    /// <summary>The MAC QEMU gives NIC <paramref name="n"/> (0-based) when none is set.</summary>
    public static MacAddress NicMac(int n) => new(FirstNicMacBits + ((ulong)(uint)n << 40));
}
