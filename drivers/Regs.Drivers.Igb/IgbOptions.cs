using Regs.Igb;
using Regs.Net;
using Regs.Nic;

namespace Regs.Drivers.Igb;

// The register block, not this namespace.
using Igb = global::Regs.Igb.Igb;

/// <summary>
/// How <see cref="IgbNic{TAccess, THost}.Initialise"/> sets the 82576 up. Start from
/// <see cref="Default"/>; a zero ring size, buffer size or link wait means the default.
/// </summary>
public struct IgbOptions
{
    /// <summary>Receive descriptors (a multiple of 8, so RDLEN is a multiple of <see cref="Igb.RingLengthMultiple"/> bytes; 8-4096). Default 256.</summary>
    public uint RxRingSize;

    /// <summary>Transmit descriptors (a multiple of 8, 8-4096). Default 256.</summary>
    public uint TxRingSize;

    /// <summary>
    /// Receive packet buffer size in bytes: a multiple of 1024 from 2048 to 16384 (SRRCTL.BSIZEPACKET
    /// counts <see cref="Igb.BsizePacketUnit"/>). Default 2048, which holds any frame the MAC
    /// accepts with RCTL.LPE off.
    /// </summary>
    public uint RxBufferSize;

    /// <summary>Sleep on the device's legacy interrupt in <c>WaitForReceive</c> instead of polling.</summary>
    public bool InterruptMode;

    /// <summary>Program <see cref="Mac"/> into RAL0/RAH0 instead of using the address the device came up with.</summary>
    public bool SetMac;

    /// <summary>The station address used when <see cref="SetMac"/> is true.</summary>
    public MacAddress Mac;

    /// <summary>Accept every unicast and multicast frame (RCTL.UPE and RCTL.MPE).</summary>
    public bool Promiscuous;

    /// <summary>How long initialisation waits for STATUS.LU, in microseconds. Default 2 s. A link that stays down is not an error.</summary>
    public uint LinkWaitMicroseconds;

    /// <summary>
    /// How long a queue may make no progress while the link is up before the driver declares a
    /// hang (Timeout) and resets the device, in microseconds: transmit descriptors pending and none
    /// completed, or the device's receive head past a descriptor it never completed. Default 2 s.
    /// </summary>
    public uint HangMicroseconds;

    /// <summary>
    /// Least time between two health checks (the watchdog), in microseconds. The checks run only on
    /// slow paths: a full transmit ring without completions, a <c>WaitForReceive</c> that timed out,
    /// a link that went down, a device left stopped by a failed reset. Default 100 ms.
    /// </summary>
    public uint WatchdogIntervalMicroseconds;

    /// <summary>
    /// The MTU: IP packet bytes per frame, from <see cref="MinMtu"/> to <see cref="MaxMtu"/>
    /// (others fail initialisation with Unsupported); 0 means <see cref="EthernetFrames.StandardMtu"/>.
    /// Frames of up to MTU + 18 bytes (an 802.1Q tag included) are sent and received: above 1500
    /// the receiver takes long packets (RCTL.LPE, RLPML = MTU + 22 with the FCS, as Linux
    /// igb_rlpml) and a frame spans several 2 KiB receive buffers.
    /// </summary>
    public uint Mtu;

    /// <summary>
    /// Offloads asked for (<see cref="NicOffloads.TxChecksum"/>, <see cref="NicOffloads.TxTcpSegmentationV4"/>,
    /// <see cref="NicOffloads.TxTcpSegmentationV6"/>, <see cref="NicOffloads.RxChecksum"/>); the
    /// driver turns on those the 82576 has and reports them in <c>INic.Offloads</c>. Default none.
    /// </summary>
    public NicOffloads Offloads;

    /// <summary>The defaults: 256 RX and 256 TX descriptors, 2048-byte buffers, polling, the device's own MAC, 2 s link wait, 2 s hang limit, 100 ms watchdog.</summary>
    public static IgbOptions Default => new IgbOptions
    {
        RxRingSize = DefaultRingSize,
        TxRingSize = DefaultRingSize,
        RxBufferSize = DefaultBufferSize,
        LinkWaitMicroseconds = DefaultLinkWaitMicroseconds,
        HangMicroseconds = DefaultHangMicroseconds,
        WatchdogIntervalMicroseconds = DefaultWatchdogIntervalMicroseconds,
    };

    /// <summary>Default descriptors per ring.</summary>
    public const uint DefaultRingSize = 256;
    /// <summary>Default receive buffer size.</summary>
    public const uint DefaultBufferSize = 2048;
    /// <summary>Default wait for the link.</summary>
    public const uint DefaultLinkWaitMicroseconds = 2_000_000;
    /// <summary>Default hang limit.</summary>
    public const uint DefaultHangMicroseconds = 2_000_000;
    /// <summary>Default least time between health checks.</summary>
    public const uint DefaultWatchdogIntervalMicroseconds = 100_000;

    /// <summary>Smallest MTU (IPv4's minimum datagram, RFC 791; Linux ETH_MIN_MTU).</summary>
    public const uint MinMtu = 68;
    /// <summary>Largest MTU: 9000, the jumbo frame size Linux igb offers the 82576 (a 9,018-byte frame).</summary>
    public const uint MaxMtu = 9000;
    /// <summary>Offloads the driver can turn on.</summary>
    public const NicOffloads SupportedOffloads = NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4 | NicOffloads.TxTcpSegmentationV6 | NicOffloads.RxChecksum;

    /// <summary>Fewest descriptors per ring: the smallest ring whose length is a multiple of <see cref="Igb.RingLengthMultiple"/> bytes.</summary>
    public const uint MinRingSize = 8;
    /// <summary>Most descriptors per ring (as Linux igb).</summary>
    public const uint MaxRingSize = 4096;
    /// <summary>Smallest receive buffer: a full frame with RCTL.LPE off fits.</summary>
    public const uint MinBufferSize = 2048;
    /// <summary>Largest receive buffer.</summary>
    public const uint MaxBufferSize = 16384;

    /// <summary>The options with zero fields replaced by their defaults.</summary>
    internal readonly IgbOptions WithDefaults()
    {
        IgbOptions o = this;
        if (o.RxRingSize == 0) o.RxRingSize = DefaultRingSize;
        if (o.TxRingSize == 0) o.TxRingSize = DefaultRingSize;
        if (o.RxBufferSize == 0) o.RxBufferSize = DefaultBufferSize;
        if (o.Mtu == 0) o.Mtu = EthernetFrames.StandardMtu;
        if (o.LinkWaitMicroseconds == 0) o.LinkWaitMicroseconds = DefaultLinkWaitMicroseconds;
        if (o.HangMicroseconds == 0) o.HangMicroseconds = DefaultHangMicroseconds;
        if (o.WatchdogIntervalMicroseconds == 0) o.WatchdogIntervalMicroseconds = DefaultWatchdogIntervalMicroseconds;
        return o;
    }

    /// <summary>True when the ring sizes and buffer size are ones the 82576 accepts.</summary>
    internal readonly unsafe bool IsValid()
        => ValidRing(RxRingSize, (uint)sizeof(AdvRxDesc)) && ValidRing(TxRingSize, (uint)sizeof(AdvTxDesc))
           && RxBufferSize >= MinBufferSize && RxBufferSize <= MaxBufferSize && RxBufferSize % Igb.BsizePacketUnit == 0
           && Mtu >= MinMtu && Mtu <= MaxMtu;

    /// <summary>The longest frame sent or received: the MTU, the Ethernet header and one 802.1Q tag (no FCS).</summary>
    internal readonly int MaxFrameLength => (int)Mtu + EthernetFrames.HeaderAndTagLength;

    private static bool ValidRing(uint size, uint descriptorBytes)
        => size >= MinRingSize && size <= MaxRingSize && size * descriptorBytes % Igb.RingLengthMultiple == 0;
}
