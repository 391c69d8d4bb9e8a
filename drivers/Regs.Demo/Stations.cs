using Regs.Net;

namespace Regs.Demo;

/// <summary>
/// The demo's two stations and their gateway, on slirp's network 10.0.2.0/24: the MACs QEMU gives
/// its first NICs (and the models take), the addresses slirp hands out, slirp's gateway.
/// </summary>
internal static class Stations
{
    public static readonly MacAddress IgbMac = new(0x5634_1200_5452ul);      // 52:54:00:12:34:56
    public static readonly MacAddress VirtioMac = new(0x5734_1200_5452ul);   // 52:54:00:12:34:57
    public static readonly uint IgbIp = Ipv4.Address(10, 0, 2, 15);
    public static readonly uint VirtioIp = Ipv4.Address(10, 0, 2, 16);
    public static readonly uint GatewayIp = Ipv4.Address(10, 0, 2, 2);
}
