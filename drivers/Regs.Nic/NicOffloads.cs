namespace Regs.Nic;

/// <summary>
/// Offloads a NIC can do for the frames of a <see cref="FrameBatch"/>, each opt-in: a driver turns
/// on what its options ask for and the device offers, and reports the result in
/// <see cref="INic.Offloads"/>. Test bits with <c>&amp;</c> (no Enum.HasFlag on bare metal).
/// </summary>
[System.Flags]
public enum NicOffloads : uint
{
    /// <summary>Nothing: every frame is sent and received as it is.</summary>
    None = 0,
    /// <summary>Transmit: completes TCP/UDP checksums of frames with <see cref="FrameOffload.NeedsChecksum"/> (IPv4 and IPv6).</summary>
    TxChecksum = 1 << 0,
    /// <summary>Transmit: cuts TCP over IPv4 frames with <see cref="FrameOffload.GsoTcpV4"/> into segments.</summary>
    TxTcpSegmentationV4 = 1 << 1,
    /// <summary>Transmit: cuts TCP over IPv6 frames with <see cref="FrameOffload.GsoTcpV6"/> into segments.</summary>
    TxTcpSegmentationV6 = 1 << 2,
    /// <summary>Transmit: segments with ECN (<see cref="FrameOffload.GsoEcn"/>).</summary>
    TxTcpEcn = 1 << 3,
    /// <summary>Receive: validates checksums and reports them in <see cref="FrameOffload.Flags"/> and <see cref="FrameOffload.Checks"/>.</summary>
    RxChecksum = 1 << 4,
    /// <summary>Receive: may deliver coalesced TCP over IPv4 frames longer than the MTU (with <see cref="FrameOffload.GsoType"/> set).</summary>
    RxTcpCoalescingV4 = 1 << 5,
    /// <summary>Receive: the same for TCP over IPv6.</summary>
    RxTcpCoalescingV6 = 1 << 6,
    /// <summary>Receive: coalesced frames may carry ECN.</summary>
    RxTcpEcn = 1 << 7,
}
