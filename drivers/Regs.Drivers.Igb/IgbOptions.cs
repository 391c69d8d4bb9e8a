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
        if (o.LinkWaitMicroseconds == 0) o.LinkWaitMicroseconds = DefaultLinkWaitMicroseconds;
        if (o.HangMicroseconds == 0) o.HangMicroseconds = DefaultHangMicroseconds;
        if (o.WatchdogIntervalMicroseconds == 0) o.WatchdogIntervalMicroseconds = DefaultWatchdogIntervalMicroseconds;
        return o;
    }

    /// <summary>True when the ring sizes and buffer size are ones the 82576 accepts.</summary>
    internal readonly unsafe bool IsValid()
        => ValidRing(RxRingSize, (uint)sizeof(AdvRxDesc)) && ValidRing(TxRingSize, (uint)sizeof(AdvTxDesc))
           && RxBufferSize >= MinBufferSize && RxBufferSize <= MaxBufferSize && RxBufferSize % Igb.BsizePacketUnit == 0;

    private static bool ValidRing(uint size, uint descriptorBytes)
        => size >= MinRingSize && size <= MaxRingSize && size * descriptorBytes % Igb.RingLengthMultiple == 0;
}
