namespace Regs.Drivers.Virtio;

/// <summary>
/// Since when a queue has shown no progress: armed at the first health check that sees it stuck,
/// kept while the frame counter does not move, so a stall is timed from when it was first seen.
/// </summary>
internal struct ProgressMark
{
    public bool Armed;
    public ulong Since;
    public ulong Frames;

    /// <summary>True once the queue has been <paramref name="stuck"/> with <paramref name="frames"/> unchanged for <paramref name="limit"/> microseconds.</summary>
    public bool Expired(bool stuck, ulong frames, ulong now, uint limit)
    {
        if (!stuck || !Armed || frames != Frames)
        {
            Armed = stuck;
            Since = now;
            Frames = frames;
            return false;
        }
        return now - Since >= limit;
    }
}
