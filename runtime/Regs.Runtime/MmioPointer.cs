using System.Runtime.CompilerServices;

namespace Regs.Runtime;

/// <summary>
/// The raw-pointer backend: registers mapped at a CPU address (bare metal, an mmapped BAR).
/// Every access is one volatile load or store.
/// </summary>
public readonly unsafe struct MmioPointer : IRegisterAccess<MmioPointer>
{
    private readonly byte* _base;

    /// <summary>Registers starting at <paramref name="baseAddress"/>.</summary>
    public MmioPointer(byte* baseAddress) { _base = baseAddress; }

    /// <summary>The base address.</summary>
    public byte* Base => _base;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public byte Read8(nuint offset) => ((Volatile8*)(_base + offset))->Value;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public ushort Read16(nuint offset) => ((Volatile16*)(_base + offset))->Value;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public uint Read32(nuint offset) => ((Volatile32*)(_base + offset))->Value;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Write8(nuint offset, byte value) => ((Volatile8*)(_base + offset))->Value = value;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Write16(nuint offset, ushort value) => ((Volatile16*)(_base + offset))->Value = value;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Write32(nuint offset, uint value) => ((Volatile32*)(_base + offset))->Value = value;
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public MmioPointer At(nuint offset) => new(_base + offset);

    /// <summary>
    /// Busy-waits by re-reading nothing: a raw pointer knows no clock. Platforms with a clock
    /// (bare metal's timer, Linux's monotonic clock) use their own backend types for timed waits;
    /// here each microsecond is a bounded spin so polls stay bounded.
    /// </summary>
    public void Delay(uint microseconds)
    {
        for (uint i = 0; i < microseconds * 64u; i++)
            Spin.Once();
    }
}

/// <summary>A pause that the compiler cannot remove.</summary>
internal static class Spin
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void Once() { }
}
