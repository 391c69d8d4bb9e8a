using System.Runtime.CompilerServices;

namespace Regs.Runtime;

/// <summary>
/// Field extraction and insertion. Positions and widths are constants at every generated call
/// site, so each call folds to one shift-and-mask.
/// </summary>
public static class Bit
{
    /// <summary>Bit <paramref name="pos"/> of <paramref name="bits"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Get(uint bits, int pos) => (bits & (1u << pos)) != 0;
    /// <summary>Bit <paramref name="pos"/> of <paramref name="bits"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static bool Get(ulong bits, int pos) => (bits & (1ul << pos)) != 0;
    /// <summary>The <paramref name="width"/>-bit field at <paramref name="pos"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static uint Get(uint bits, int pos, int width) => (bits >> pos) & (uint)((1ul << width) - 1);
    /// <summary>The <paramref name="width"/>-bit field at <paramref name="pos"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ulong Get(ulong bits, int pos, int width) => (bits >> pos) & Mask64(width);

    /// <summary>Sets or clears bit <paramref name="pos"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Set(ref byte bits, int pos, bool on) => bits = (byte)(on ? bits | (1u << pos) : bits & ~(1u << pos));
    /// <summary>Sets or clears bit <paramref name="pos"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Set(ref ushort bits, int pos, bool on) => bits = (ushort)(on ? bits | (1u << pos) : bits & ~(1u << pos));
    /// <summary>Sets or clears bit <paramref name="pos"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Set(ref uint bits, int pos, bool on) => bits = on ? bits | (1u << pos) : bits & ~(1u << pos);
    /// <summary>Sets or clears bit <paramref name="pos"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Set(ref ulong bits, int pos, bool on) => bits = on ? bits | (1ul << pos) : bits & ~(1ul << pos);

    /// <summary>Replaces the field; bits of <paramref name="value"/> beyond its width are dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Set(ref byte bits, int pos, int width, uint value) { uint m = (uint)((1ul << width) - 1) << pos; bits = (byte)((bits & ~m) | ((value << pos) & m)); }
    /// <summary>Replaces the field; bits of <paramref name="value"/> beyond its width are dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Set(ref ushort bits, int pos, int width, uint value) { uint m = (uint)((1ul << width) - 1) << pos; bits = (ushort)((bits & ~m) | ((value << pos) & m)); }
    /// <summary>Replaces the field; bits of <paramref name="value"/> beyond its width are dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Set(ref uint bits, int pos, int width, uint value) { uint m = (uint)((1ul << width) - 1) << pos; bits = (bits & ~m) | ((value << pos) & m); }
    /// <summary>Replaces the field; bits of <paramref name="value"/> beyond its width are dropped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Set(ref ulong bits, int pos, int width, ulong value) { ulong m = Mask64(width) << pos; bits = (bits & ~m) | ((value << pos) & m); }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mask64(int width) => width >= 64 ? ~0ul : (1ul << width) - 1;
}
