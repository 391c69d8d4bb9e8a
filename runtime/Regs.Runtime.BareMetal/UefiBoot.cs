using Regs.Runtime.BareMetal.Uefi;

namespace Regs.Runtime.BareMetal;

/// <summary>The start-up every bare-metal program does first in EfiMain.</summary>
public static unsafe class UefiBoot
{
    /// <summary>
    /// Takes the firmware's arguments (<see cref="UefiPlatform.Initialize"/>), turns the watchdog
    /// off and, with <paramref name="useTsc"/>, calibrates the TSC (10 ms). False only when the system
    /// table is unusable; a failed calibration leaves the clock on Stall time (see <see cref="TscClock"/>)
    /// and is logged. Pass false for <paramref name="useTsc"/> on firmware that would not execute the
    /// RDTSC stub from an EfiLoaderCode page.
    /// </summary>
    public static bool Start(void* imageHandle, EfiSystemTable* systemTable, bool useTsc = true)
    {
        if (!UefiPlatform.Initialize(imageHandle, systemTable)) return false;
        if (!UefiPlatform.WatchdogOff()) UefiConsole.WriteLine("regs: could not turn the UEFI watchdog off"u8);
        if (useTsc && !TscClock.Calibrate()) UefiConsole.WriteLine("regs: TSC calibration failed, using Stall time"u8);
        return true;
    }
}
