using System.Runtime.CompilerServices;

namespace Regs.Runtime;

/// <summary>
/// The raw-pointer backend: registers mapped at a CPU address (bare metal, an mmapped BAR).
/// Every access is one volatile load or store; waits use the platform's clock.
/// </summary>
/// <typeparam name="TClock">The platform's time source, for <see cref="Delay"/>.</typeparam>
public readonly unsafe struct MmioPointer<TClock> : IRegisterAccess<MmioPointer<TClock>> where TClock : struct, IClock
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public MmioPointer<TClock> At(nuint offset) => new(_base + offset);

    /// <summary>Spins on the platform clock until <paramref name="microseconds"/> have passed.</summary>
    public void Delay(uint microseconds)
    {
        ulong until = TClock.NowMicroseconds() + microseconds;
        while (TClock.NowMicroseconds() < until) { }
    }
}
