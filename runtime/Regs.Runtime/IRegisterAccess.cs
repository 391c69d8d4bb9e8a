namespace Regs.Runtime;

/// <summary>
/// A register-access backend: how the generated accessors reach a device's registers.
/// Generated blocks are generic over a struct implementing this, so the JIT (or NativeAOT)
/// specialises them per backend and a raw-pointer backend costs nothing over hand-written code.
/// 64-bit registers are split into two 32-bit accesses by the generated code, in the order the
/// device requires, so a backend only implements 8, 16 and 32-bit accesses.
/// </summary>
/// <typeparam name="TSelf">The implementing struct itself.</typeparam>
public interface IRegisterAccess<TSelf> where TSelf : struct, IRegisterAccess<TSelf>
{
    /// <summary>Reads one byte at <paramref name="offset"/> bytes from this backend's base.</summary>
    byte Read8(nuint offset);
    /// <summary>Reads a 16-bit little-endian value.</summary>
    ushort Read16(nuint offset);
    /// <summary>Reads a 32-bit little-endian value.</summary>
    uint Read32(nuint offset);
    /// <summary>Writes one byte.</summary>
    void Write8(nuint offset, byte value);
    /// <summary>Writes a 16-bit little-endian value.</summary>
    void Write16(nuint offset, ushort value);
    /// <summary>Writes a 32-bit little-endian value.</summary>
    void Write32(nuint offset, uint value);
    /// <summary>The same backend with its base moved by <paramref name="offset"/> bytes (a sub-block, a queue's register set).</summary>
    TSelf At(nuint offset);
    /// <summary>Waits at least this long in the device's time domain; generated bounded polls use it.</summary>
    void Delay(uint microseconds);
}
