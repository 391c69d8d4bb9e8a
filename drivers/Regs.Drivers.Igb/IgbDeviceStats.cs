namespace Regs.Drivers.Igb;

/// <summary>
/// The 82576's own statistics registers (datasheet 8.19, all read-to-clear), accumulated by the
/// driver since initialisation, plus the driver-side counts that <see cref="Regs.Nic.NicStats"/>
/// has no field for.
/// </summary>
public struct IgbDeviceStats
{
    /// <summary>GPRC: good packets received.</summary>
    public ulong GoodPacketsReceived;
    /// <summary>GPTC: good packets sent.</summary>
    public ulong GoodPacketsSent;
    /// <summary>GORC: good octets received (with CRC).</summary>
    public ulong GoodOctetsReceived;
    /// <summary>GOTC: good octets sent (with CRC).</summary>
    public ulong GoodOctetsSent;
    /// <summary>MPC: packets missed for lack of room in the receive FIFO or ring.</summary>
    public ulong MissedPackets;
    /// <summary>RNBC: packets received while no descriptor was available.</summary>
    public ulong NoBufferPackets;
    /// <summary>BPRC: broadcast packets received.</summary>
    public ulong BroadcastReceived;
    /// <summary>MPRC: multicast packets received.</summary>
    public ulong MulticastReceived;
    /// <summary>CRCERRS: frames received with a bad CRC.</summary>
    public ulong CrcErrors;
    /// <summary>RLEC: frames received with a bad length.</summary>
    public ulong LengthErrors;
    /// <summary>Receive descriptors whose write-back reported RXE (dropped by the driver).</summary>
    public ulong RxErrorDescriptors;
    /// <summary>Device resets the driver performed after initialisation.</summary>
    public ulong Resets;
}
