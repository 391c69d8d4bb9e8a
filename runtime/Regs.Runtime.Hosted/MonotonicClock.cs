using System.Diagnostics;

namespace Regs.Runtime.Hosted;

/// <summary>The process's monotonic clock (CLOCK_MONOTONIC through <see cref="Stopwatch"/>).</summary>
public readonly struct MonotonicClock : IClock
{
    private static readonly double MicrosecondsPerTick = 1_000_000.0 / Stopwatch.Frequency;

    /// <inheritdoc/>
    public static ulong NowMicroseconds() => (ulong)(Stopwatch.GetTimestamp() * MicrosecondsPerTick);

    /// <summary>Waits at least <paramref name="microseconds"/>: sleeps for long waits, spins for short ones.</summary>
    public static void Delay(uint microseconds)
    {
        ulong until = NowMicroseconds() + microseconds;
        if (microseconds >= 2000) System.Threading.Thread.Sleep((int)(microseconds / 1000) - 1);
        while (NowMicroseconds() < until) System.Threading.Thread.SpinWait(16);
    }
}
