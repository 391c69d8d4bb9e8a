namespace Regs.Testing.Traffic;

/// <summary>What became of a frame that arrived.</summary>
internal enum Delivery
{
    /// <summary>First arrival, in order.</summary>
    Fresh,
    /// <summary>First arrival, after a higher id on a wire that keeps order.</summary>
    OutOfOrder,
    /// <summary>An id that was never queued.</summary>
    NeverSent,
    /// <summary>Not byte for byte the frame of its id.</summary>
    Corrupted,
    /// <summary>Arrived before.</summary>
    Duplicate,
}
