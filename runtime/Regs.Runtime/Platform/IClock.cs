namespace Regs.Runtime;

/// <summary>
/// A monotonic time source a platform provides as a type (a TSC calibrated at boot, the host's
/// monotonic clock), so register backends can wait in real time without carrying state.
/// </summary>
public interface IClock
{
    /// <summary>Monotonic time in microseconds from an arbitrary origin.</summary>
    static abstract ulong NowMicroseconds();
}
