namespace Regs.Tap;

/// <summary>What a <see cref="NicTapBridge{TNic}"/> moved and refused since it was made.</summary>
public struct TapBridgeCounters
{
    /// <summary>Frames read from the TAP interface and consumed by the NIC's Send.</summary>
    public ulong TapToNicFrames;
    /// <summary>Bytes of those frames.</summary>
    public ulong TapToNicBytes;
    /// <summary>Frames received by the NIC and written to the TAP interface.</summary>
    public ulong NicToTapFrames;
    /// <summary>Bytes of those frames.</summary>
    public ulong NicToTapBytes;
    /// <summary>Frames from the TAP interface whose checksum the bridge completed (the NIC does not insert it).</summary>
    public ulong SoftwareChecksums;
    /// <summary>Frames from the TAP interface refused: checksum position outside the frame, or a segmentation the NIC does not do.</summary>
    public ulong TapFramesRefused;
    /// <summary>Frames from the TAP interface dropped because the NIC's transmit ring took none of them for <see cref="TapBridgeOptions.TransmitStallMicroseconds"/>.</summary>
    public ulong TransmitStallDrops;
    /// <summary>Reads of the TAP interface that failed with an error other than EAGAIN.</summary>
    public ulong TapReadErrors;
    /// <summary>Writes to the TAP interface that returned EAGAIN (each retried once after a short poll).</summary>
    public ulong TapWriteAgain;
    /// <summary>Frames the NIC received that could not be written to the TAP interface (EAGAIN twice, or the kernel refused the frame).</summary>
    public ulong TapWriteDrops;
    /// <summary>Rounds of the pump.</summary>
    public ulong Rounds;
    /// <summary>Rounds that found nothing to move and waited.</summary>
    public ulong IdleWaits;

    /// <summary>All drops and refusals together.</summary>
    public readonly ulong Drops => TapFramesRefused + TransmitStallDrops + TapWriteDrops;

    /// <inheritdoc/>
    public override readonly string ToString()
        => $"tap->nic frames={TapToNicFrames} bytes={TapToNicBytes} nic->tap frames={NicToTapFrames} bytes={NicToTapBytes} "
         + $"sw-csum={SoftwareChecksums} refused={TapFramesRefused} stall-drops={TransmitStallDrops} read-errors={TapReadErrors} "
         + $"write-eagain={TapWriteAgain} write-drops={TapWriteDrops} rounds={Rounds} idle-waits={IdleWaits}";
}

/// <summary>How a <see cref="NicTapBridge{TNic}"/> pumps.</summary>
public sealed class TapBridgeOptions
{
    /// <summary>
    /// Interrupt-driven: when idle, sleep in the NIC's <c>WaitForReceive</c> (which arms the
    /// device's interrupt and sleeps on it) in slices of <see cref="InterruptSliceMicroseconds"/>,
    /// looking at the TAP descriptor (and <see cref="WakeDescriptors"/>) between slices. The NIC must
    /// have been opened in its interrupt mode. False: poll both sides, yielding the CPU when idle.
    /// </summary>
    public bool Interrupts { get; init; }

    /// <summary>Frames moved per batch each way.</summary>
    public int BatchFrames { get; init; } = 64;

    /// <summary>Interrupt mode: the longest sleep in the NIC's wait before the TAP descriptor is looked at again.</summary>
    public uint InterruptSliceMicroseconds { get; init; } = 1000;

    /// <summary>Polling mode: idle rounds that only yield the CPU (sched_yield) before the pump sleeps in poll() on the TAP descriptor.</summary>
    public int IdleSpinRounds { get; init; } = 64;

    /// <summary>Polling mode: how long one idle poll() on the TAP descriptor lasts, in milliseconds.</summary>
    public int IdlePollMilliseconds { get; init; } = 1;

    /// <summary>Frames the NIC's transmit ring has taken none of for this long are dropped (counted), so a dead link cannot wedge the bridge.</summary>
    public uint TransmitStallMicroseconds { get; init; } = 500_000;

    /// <summary>Other descriptors whose readability ends an idle wait (a control eventfd, say).</summary>
    public int[] WakeDescriptors { get; init; } = System.Array.Empty<int>();
}
