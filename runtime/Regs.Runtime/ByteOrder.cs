using System.Runtime.CompilerServices;

namespace Regs.Runtime;

/// <summary>Byte swaps for big-endian registers and memory (no BCL helper needed on bare metal).</summary>
public static class ByteOrder
{
    /// <summary>Swaps the two bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Swap16(ushort v) => (ushort)((v >> 8) | (v << 8));

    /// <summary>Reverses the four bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Swap32(uint v)
        => (v >> 24) | ((v >> 8) & 0xFF00u) | ((v << 8) & 0xFF0000u) | (v << 24);

    /// <summary>Reverses the eight bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Swap64(ulong v) => ((ulong)Swap32((uint)v) << 32) | Swap32((uint)(v >> 32));
}
