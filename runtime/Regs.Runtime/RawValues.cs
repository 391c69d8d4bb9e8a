using System.Runtime.CompilerServices;

namespace Regs.Runtime;

// Values of registers declared without fields: plain numbers, convertible both ways.

/// <summary>An 8-bit register value without fields.</summary>
public struct U8 : IRegisterValue<U8>
{
    /// <summary>The raw bits.</summary>
    public byte Bits;
    /// <summary>Makes a value.</summary>
    public U8(byte bits) { Bits = bits; }
    static int IRegisterValue<U8>.Format => 8;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] static U8 IRegisterValue<U8>.FromBits(ulong b) => new((byte)b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] readonly ulong IRegisterValue<U8>.ToBits() => Bits;
    /// <summary>The number.</summary>
    public static implicit operator byte(U8 v) => v.Bits;
    /// <summary>A value from a number.</summary>
    public static implicit operator U8(byte v) => new(v);
}

/// <summary>A 16-bit register value without fields.</summary>
public struct U16 : IRegisterValue<U16>
{
    /// <summary>The raw bits.</summary>
    public ushort Bits;
    /// <summary>Makes a value.</summary>
    public U16(ushort bits) { Bits = bits; }
    static int IRegisterValue<U16>.Format => 16;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] static U16 IRegisterValue<U16>.FromBits(ulong b) => new((ushort)b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] readonly ulong IRegisterValue<U16>.ToBits() => Bits;
    /// <summary>The number.</summary>
    public static implicit operator ushort(U16 v) => v.Bits;
    /// <summary>A value from a number.</summary>
    public static implicit operator U16(ushort v) => new(v);
}

/// <summary>A 32-bit register value without fields.</summary>
public struct U32 : IRegisterValue<U32>
{
    /// <summary>The raw bits.</summary>
    public uint Bits;
    /// <summary>Makes a value.</summary>
    public U32(uint bits) { Bits = bits; }
    static int IRegisterValue<U32>.Format => 32;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] static U32 IRegisterValue<U32>.FromBits(ulong b) => new((uint)b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] readonly ulong IRegisterValue<U32>.ToBits() => Bits;
    /// <summary>The number.</summary>
    public static implicit operator uint(U32 v) => v.Bits;
    /// <summary>A value from a number.</summary>
    public static implicit operator U32(uint v) => new(v);
}

/// <summary>A 64-bit register value without fields, accessed low half first.</summary>
public struct U64 : IRegisterValue<U64>
{
    /// <summary>The raw bits.</summary>
    public ulong Bits;
    /// <summary>Makes a value.</summary>
    public U64(ulong bits) { Bits = bits; }
    static int IRegisterValue<U64>.Format => 64;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] static U64 IRegisterValue<U64>.FromBits(ulong b) => new(b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] readonly ulong IRegisterValue<U64>.ToBits() => Bits;
    /// <summary>The number.</summary>
    public static implicit operator ulong(U64 v) => v.Bits;
    /// <summary>A value from a number.</summary>
    public static implicit operator U64(ulong v) => new(v);
}
