using Regs.Net;

namespace Regs.Demo;

/// <summary>
/// The demo's two stations and their gateway, on slirp's network 10.0.2.0/24: the MACs QEMU gives
/// its first NICs (and the models take), the addresses slirp hands out, slirp's gateway.
/// </summary>
internal static class Stations
{
    public static readonly MacAddress IgbMac = SlirpNetwork.NicMac(0);       // 52:54:00:12:34:56
    public static readonly MacAddress VirtioMac = SlirpNetwork.NicMac(1);    // 52:54:00:12:34:57
    public const uint IgbIp = SlirpNetwork.FirstGuest;                       // 10.0.2.15
    public const uint VirtioIp = SlirpNetwork.FirstGuest + 1;                // 10.0.2.16
    public const uint GatewayIp = SlirpNetwork.Gateway;                      // 10.0.2.2
}
