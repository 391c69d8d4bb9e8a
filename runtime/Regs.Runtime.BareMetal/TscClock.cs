using Regs.Runtime.BareMetal.Uefi;

namespace Regs.Runtime.BareMetal;

/// <summary>
/// The bare-metal clock: the x86 time-stamp counter (Intel SDM vol. 3B section 18.17), calibrated
/// once against BootServices.Stall. C# has no RDTSC without System.Runtime.Intrinsics.X86, which
/// the bare-metal core library does not have, so <see cref="Calibrate"/> writes a 10-byte stub
/// (rdtsc; shl rdx,32; or rax,rdx; ret) into an EfiLoaderCode page (executable under OVMF's NX
/// policy) and calls it through a function pointer. Until calibrated, or if calibration failed,
/// time advances by Stall instead: every <see cref="NowMicroseconds"/> stalls 1 µs and counts it, and
/// <see cref="Delay"/> stalls and counts its argument. That clock only counts its own stalls (time spent
/// elsewhere is not seen), so it never runs faster than real time: waits last at least as long as asked.
/// The TSC is assumed constant-rate (invariant TSC on current CPUs; QEMU TCG derives it from the host clock).
/// </summary>
public readonly unsafe struct TscClock : IClock
{
    /// <summary>The calibration interval <see cref="Calibrate"/> uses by default: 10 ms.</summary>
    public const uint DefaultCalibrationMicroseconds = 10_000;

    private static delegate* unmanaged<ulong> s_rdtsc;
    private static ulong s_origin;           // TSC at calibration: NowMicroseconds counts from here
    private static ulong s_ticksPer1024Us;   // TSC ticks per 1024 µs (fixed point keeps the sub-MHz part)
    private static ulong s_offset;           // microseconds already counted before the last calibration
    private static ulong s_stallMicroseconds;

    /// <summary>True once <see cref="Calibrate"/> succeeded: time comes from the TSC.</summary>
    public static bool IsCalibrated => s_ticksPer1024Us != 0;

    /// <summary>The measured TSC frequency in Hz (0 before calibration).</summary>
    public static ulong TicksPerSecond => s_ticksPer1024Us * 1_000_000 / 1024;

    /// <summary>
    /// Installs the RDTSC stub and measures the TSC over a Stall of <paramref name="microseconds"/>
    /// (Stall waits at least that long, so the rate is if anything overestimated and the clock
    /// runs slow, never fast). Needs <see cref="UefiPlatform.Initialize"/>. False when the stub page
    /// could not be allocated or the counter does not advance at least 1 MHz; the clock then stays
    /// on Stall time.
    /// </summary>
    public static bool Calibrate(uint microseconds = DefaultCalibrationMicroseconds)
    {
        if (microseconds < 1000) microseconds = 1000;
        if (s_rdtsc == null)
        {
            byte* code = (byte*)UefiPlatform.AllocatePages(1, EfiMemoryType.LoaderCode, UefiPlatform.AnyAddress);
            if (code == null) return false;
            WriteStub(code);
            s_rdtsc = (delegate* unmanaged<ulong>)code;
        }
        ulong carried = NowMicroseconds();   // keeps the clock monotonic across (re)calibration
        s_rdtsc();   // warm the call path
        ulong start = s_rdtsc();
        UefiPlatform.Stall(microseconds);
        ulong end = s_rdtsc();
        ulong ticks = end - start;
        if (end <= start || ticks < microseconds)   // not running, or below 1 MHz: stay on Stall time
        {
            if (s_ticksPer1024Us == 0) s_stallMicroseconds += microseconds;
            return false;
        }
        s_offset = carried + microseconds;
        s_origin = end;
        s_ticksPer1024Us = ticks * 1024 / microseconds;
        return true;
    }

    /// <summary>The raw time-stamp counter, 0 before <see cref="Calibrate"/> installed the stub.</summary>
    public static ulong ReadCounter() => s_rdtsc == null ? 0 : s_rdtsc();

    /// <summary>Microseconds since the first call (Stall time counted until calibration, TSC time after).</summary>
    public static ulong NowMicroseconds()
    {
        ulong per = s_ticksPer1024Us;
        if (per == 0)
        {
            UefiPlatform.Stall(1);
            return ++s_stallMicroseconds;
        }
        ulong delta = s_rdtsc() - s_origin;
        // delta * 1024 / per without overflowing 64 bits: whole units, then the remainder.
        return s_offset + delta / per * 1024 + delta % per * 1024 / per;
    }

    /// <summary>Waits at least <paramref name="microseconds"/>: spins on the TSC, or stalls when uncalibrated.</summary>
    public static void Delay(uint microseconds)
    {
        if (s_ticksPer1024Us == 0)
        {
            UefiPlatform.Stall(microseconds);
            s_stallMicroseconds += microseconds;
            return;
        }
        ulong until = NowMicroseconds() + microseconds;
        while (NowMicroseconds() < until) { }
    }

    // The stub's encoding (Intel SDM vol. 2): rdtsc 0F 31; shl rdx,32 48 C1 E2 20; or rax,rdx 48 09 D0; ret C3.
    private static void WriteStub(byte* code)
    {
        code[0] = 0x0F; code[1] = 0x31;                               // rdtsc: edx:eax = TSC
        code[2] = 0x48; code[3] = 0xC1; code[4] = 0xE2; code[5] = 0x20; // shl rdx, 32
        code[6] = 0x48; code[7] = 0x09; code[8] = 0xD0;               // or rax, rdx
        code[9] = 0xC3;                                               // ret (rax is the result, MS x64)
    }
}
