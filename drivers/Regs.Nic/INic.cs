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
    /// Queues the frames of <paramref name="batch"/> for transmission, reclaiming completed ones
    /// first; returns how many were queued (fewer when the ring is full). Frames are copied, so the
    /// batch may be reused at once.
    /// </summary>
    int Send(in FrameBatch batch);

    /// <summary>Moves received frames into <paramref name="batch"/> (up to its capacity) and refills the ring; returns how many.</summary>
    int Receive(ref FrameBatch batch);

    /// <summary>
    /// Waits until a frame can be received or the link changed, at most
    /// <paramref name="timeoutMicroseconds"/>: by polling, or in interrupt mode by sleeping on the
    /// device's interrupt. True if there is something to receive.
    /// </summary>
    bool WaitForReceive(uint timeoutMicroseconds);

    /// <summary>
    /// Resets the device and initialises it again with the memory allocated at start-up (what the
    /// driver also does by itself after a device error). Frames in flight are dropped.
    /// </summary>
    NicStatus Reset();

    /// <summary>What went wrong last, <see cref="NicStatus.Ok"/> when nothing did.</summary>
    NicStatus LastError { get; }
}
