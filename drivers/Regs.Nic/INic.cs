using Regs.Net;

namespace Regs.Nic;

/// <summary>
/// What an application needs from a network card, whichever driver runs it. Implemented by
/// structs; applications are generic over <c>TNic : struct, INic</c> so calls are direct.
/// Errors are values: a method that can fail returns a <see cref="NicStatus"/>.
/// </summary>
public interface INic
{
    /// <summary>The station address the card uses.</summary>
    MacAddress Mac { get; }

    /// <summary>The link as the card reports it now.</summary>
    LinkState Link();

    /// <summary>Counters since initialisation.</summary>
    NicStats Stats();

    /// <summary>
    /// Queues frames from the front of <paramref name="batch"/> for transmission, reclaiming
    /// completed ones first, and returns how many it consumed: frame i was consumed when i is less
    /// than the result. A consumed frame was either queued or rejected and dropped (empty, or longer
    /// than <see cref="MaxFrameLength"/>; counted in <see cref="NicStats.TxRejected"/>). The first
    /// frame the transmit ring has no room for ends the call: it and the frames after it were not
    /// consumed and are the caller's to send again. Frames are copied, so the batch may be reused at
    /// once. Never throws, whatever the lengths in the batch.
    /// </summary>
    int Send(in FrameBatch batch);

    /// <summary>
    /// The longest frame <see cref="Send"/> transmits without segmentation offload: the MTU plus the
    /// Ethernet header and one 802.1Q tag (1518 for an MTU of 1500, 9018 for 9000); the FCS is the
    /// NIC's. Frames longer than a <see cref="FrameBatch"/> slot span slots.
    /// </summary>
    int MaxFrameLength { get; }

    /// <summary>The offloads turned on: asked for in the driver's options and offered by the device.</summary>
    NicOffloads Offloads { get; }

    /// <summary>
    /// Empties <paramref name="batch"/>, moves received frames into it (while they fit) and refills
    /// the ring; returns how many. With <see cref="NicOffloads.RxChecksum"/> on, each frame's
    /// <see cref="FrameBatch.Offload"/> says what the NIC checked.
    /// </summary>
    int Receive(ref FrameBatch batch);

    /// <summary>
    /// Waits until a frame can be received or the link changed, at most
    /// <paramref name="timeoutMicroseconds"/>: by polling, or in interrupt mode by sleeping on the
    /// device's interrupt. True if there is something to receive.
    /// </summary>
    bool WaitForReceive(uint timeoutMicroseconds);

    /// <summary>
    /// For a caller that sleeps on the device's interrupt itself (poll() on the VFIO eventfds
    /// together with other descriptors): in interrupt mode, enables the receive and link
    /// interrupt and returns true when the caller may sleep; false when something is already
    /// there to receive (found after arming, so none is missed; then don't sleep, receive), or
    /// when the driver is not in interrupt mode or not running (then use <see cref="WaitForReceive"/>).
    /// After the wake-up (or the sleep's timeout) call <see cref="AcknowledgeInterrupt"/>.
    /// </summary>
    bool ArmInterrupt();

    /// <summary>
    /// Ends a sleep begun after <see cref="ArmInterrupt"/>: consumes the platform's interrupt
    /// signal without waiting, reads and acts on the device's causes (link change, device error),
    /// and asks the device not to interrupt again until the next arm. True if there is something
    /// to receive. Harmless when nothing fired.
    /// </summary>
    bool AcknowledgeInterrupt();

    /// <summary>
    /// Resets the device and initialises it again with the memory allocated at start-up (what the
    /// driver also does by itself after a device error). Frames in flight are dropped.
    /// </summary>
    NicStatus Reset();

    /// <summary>What went wrong last, <see cref="NicStatus.Ok"/> when nothing did.</summary>
    NicStatus LastError { get; }
}
