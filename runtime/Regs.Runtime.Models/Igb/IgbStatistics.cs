namespace Regs.Runtime.Models.Igb;

/// <summary>
/// The statistics block 0x4000-0x4124 (datasheet 8.19). Counters saturate instead of wrapping and
/// clear when read; a 64-bit octet counter (GORC, GOTC, TOR, TOT) clears as a pair when its high
/// half is read, so software reads low then high (as QEMU; the datasheet subsection is not confirmed).
/// </summary>
internal sealed class IgbStatistics
{
    public const int CRCERRS = 0x4000, MPC = 0x4010, PRC64 = 0x405C, GPRC = 0x4074, BPRC = 0x4078;
    public const int MPRC = 0x407C, GPTC = 0x4080, GORCL = 0x4088, GOTCL = 0x4090, RNBC = 0x40A0;
    public const int RUC = 0x40A4, ROC = 0x40AC, TORL = 0x40C0, TOTL = 0x40C8, TPR = 0x40D0;
    public const int TPT = 0x40D4, PTC64 = 0x40D8, MPTC = 0x40F0, BPTC = 0x40F4, IAC = 0x4100;

    private readonly uint[] _counters = new uint[(IgbRegisters.StatsLast - IgbRegisters.StatsFirst) / 4 + 1];

    public static bool Contains(int offset) => offset >= IgbRegisters.StatsFirst && offset <= IgbRegisters.StatsLast;

    public void Clear() => System.Array.Clear(_counters);

    public void Increment(int offset)
    {
        ref uint c = ref _counters[(offset - IgbRegisters.StatsFirst) / 4];
        if (c != uint.MaxValue) c++;
    }

    /// <summary>Adds to a 64-bit counter whose low half is at <paramref name="lowOffset"/>.</summary>
    public void Add64(int lowOffset, ulong amount)
    {
        int i = (lowOffset - IgbRegisters.StatsFirst) / 4;
        ulong value = _counters[i] | (ulong)_counters[i + 1] << 32;
        value = value + amount < value ? ulong.MaxValue : value + amount;
        _counters[i] = (uint)value;
        _counters[i + 1] = (uint)(value >> 32);
    }

    /// <summary>Counts a frame into the 64/127/255/511/1023/1522+ size bins starting at <paramref name="firstBin"/> (length with CRC).</summary>
    public void CountSize(int firstBin, int lengthWithCrc)
    {
        int bin = lengthWithCrc > 1023 ? 5 : lengthWithCrc > 511 ? 4 : lengthWithCrc > 255 ? 3
            : lengthWithCrc > 127 ? 2 : lengthWithCrc > 64 ? 1 : lengthWithCrc == 64 ? 0 : -1;
        if (bin >= 0) Increment(firstBin + 4 * bin);
    }

    /// <summary>A register read with its clear-on-read side effect.</summary>
    public uint Read(int offset)
    {
        int i = (offset - IgbRegisters.StatsFirst) / 4;
        uint value = _counters[i];
        if (IsLowHalf(offset)) return value; // cleared with the high half
        _counters[i] = 0;
        if (IsLowHalf(offset - 4)) _counters[i - 1] = 0;
        return value;
    }

    private static bool IsLowHalf(int offset) => offset is GORCL or GOTCL or TORL or TOTL;
}
