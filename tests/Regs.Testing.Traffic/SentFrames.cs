namespace Regs.Testing.Traffic;

/// <summary>Frames a driver queued in one go: ids <paramref name="First"/> to First + Count - 1 of <paramref name="Flow"/>.</summary>
/// <param name="Flow">Whose frames.</param>
/// <param name="First">The first id.</param>
/// <param name="Count">How many the driver took.</param>
public readonly record struct SentFrames(TrafficFlow Flow, long First, int Count)
{
    /// <summary>The id of frame <paramref name="index"/> of these.</summary>
    public long Id(int index) => First + index;

    /// <summary>Frame <paramref name="index"/> of these, exactly as it was sent.</summary>
    public byte[] Frame(int index) => Flow.Frame(First + index);
}
