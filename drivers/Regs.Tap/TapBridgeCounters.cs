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
    /// <summary>Frames from the TAP interface handed to the NIC with offload metadata (NEEDS_CSUM or a segmentation) for the NIC to finish.</summary>
    public ulong OffloadedToNic;
    /// <summary>Frames from the TAP interface handed to the NIC as segmentation trains (the NIC segments).</summary>
    public ulong SegmentationTrains;
    /// <summary>Interrupt mode: idle waits spent in one poll() on the TAP descriptor and the NIC's interrupt descriptors together (after the NIC's ArmInterrupt).</summary>
    public ulong CombinedWaits;

    /// <summary>All drops and refusals together.</summary>
    public readonly ulong Drops => TapFramesRefused + TransmitStallDrops + TapWriteDrops;

    /// <inheritdoc/>
    public override readonly string ToString()
        => $"tap->nic frames={TapToNicFrames} bytes={TapToNicBytes} nic->tap frames={NicToTapFrames} bytes={NicToTapBytes} "
         + $"sw-csum={SoftwareChecksums} refused={TapFramesRefused} stall-drops={TransmitStallDrops} read-errors={TapReadErrors} "
         + $"write-eagain={TapWriteAgain} write-drops={TapWriteDrops} rounds={Rounds} idle-waits={IdleWaits} "
         + $"offloaded={OffloadedToNic} tso-trains={SegmentationTrains} combined-waits={CombinedWaits}";
}

/// <summary>How a <see cref="NicTapBridge{TNic}"/> pumps.</summary>
public sealed class TapBridgeOptions
{
    /// <summary>
    /// Interrupt-driven: when idle, arm the NIC's interrupt and sleep on the TAP descriptor and the
    /// NIC's <see cref="InterruptDescriptors"/> together (without descriptors: in the NIC's
    /// <c>WaitForReceive</c> in slices of <see cref="InterruptSliceMicroseconds"/>, looking at the TAP
    /// descriptor between slices). The NIC must have been opened in its interrupt mode. False: poll
    /// both sides, yielding the CPU when idle.
    /// </summary>
    public bool Interrupts { get; init; }

    /// <summary>Frames moved per batch each way.</summary>
    public int BatchFrames { get; init; } = 64;

    /// <summary>Interrupt mode: the longest sleep in the NIC's wait before the TAP descriptor is looked at again.</summary>
    public uint InterruptSliceMicroseconds { get; init; } = 1000;

    /// <summary>
    /// Polling mode: for this long after the last frame moved, an idle round only yields the CPU
    /// (sched_yield), so a conversation's next frame (an ACK a few hundred microseconds away) is
    /// picked up at once; after it the pump sleeps in poll() on the TAP descriptor.
    /// </summary>
    public uint IdleSpinMicroseconds { get; init; } = 2000;

    /// <summary>Polling mode: how long one idle poll() on the TAP descriptor lasts, in milliseconds.</summary>
    public int IdlePollMilliseconds { get; init; } = 1;

    /// <summary>Frames the NIC's transmit ring has taken none of for this long are dropped (counted), so a dead link cannot wedge the bridge.</summary>
    public uint TransmitStallMicroseconds { get; init; } = 500_000;

    /// <summary>
    /// Interrupt mode: the NIC's interrupt descriptors (VFIO's eventfds: <c>VfioHost.InterruptFileDescriptors</c>;
    /// a model's <c>DeviceModel.InterruptEventDescriptor</c>), read-only. With them an idle bridge
    /// arms the NIC's interrupt (<c>INic.ArmInterrupt</c>) and sleeps in one poll() on the TAP
    /// descriptor and these, for at most <see cref="InterruptPollMilliseconds"/>; without them it
    /// sleeps in the NIC's <c>WaitForReceive</c> in slices of <see cref="InterruptSliceMicroseconds"/>.
    /// </summary>
    public int[] InterruptDescriptors { get; init; } = System.Array.Empty<int>();

    /// <summary>Interrupt mode with <see cref="InterruptDescriptors"/>: the longest poll() on the TAP descriptor and the NIC's interrupt, in milliseconds.</summary>
    public int InterruptPollMilliseconds { get; init; } = 10;

    /// <summary>Other descriptors whose readability ends an idle wait (a control eventfd, say).</summary>
    public int[] WakeDescriptors { get; init; } = System.Array.Empty<int>();
}
