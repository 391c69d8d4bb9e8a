using System.Runtime.CompilerServices;

namespace Regs.Runtime;

/// <summary>
/// Width dispatch for the register handles. Every branch tests a constant of the value type,
/// so after specialisation exactly one access remains.
/// </summary>
public static class RegisterIo
{
    /// <summary>Reads the raw bits of a register of type <typeparamref name="TValue"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Read<TAccess, TValue>(TAccess io, nuint offset)
        where TAccess : struct, IRegisterAccess<TAccess>
        where TValue : struct, IRegisterValue<TValue>
    {
        int format = TValue.Format;
        bool big = (format & RegisterFormat.BigEndian) != 0;
        switch (format & RegisterFormat.WidthMask)
        {
            case 8:
                return io.Read8(offset);
            case 16:
                return big ? ByteOrder.Swap16(io.Read16(offset)) : io.Read16(offset);
            case 32:
                return big ? ByteOrder.Swap32(io.Read32(offset)) : io.Read32(offset);
            default:
                ulong low, high;
                if ((format & RegisterFormat.HighFirst) != 0)
                {
                    high = io.Read32(offset + 4);
                    low = io.Read32(offset);
                }
                else
                {
                    low = io.Read32(offset);
                    high = io.Read32(offset + 4);
                }
                ulong value = low | (high << 32);
                return big ? ByteOrder.Swap64(value) : value;
        }
    }

    /// <summary>Writes raw bits to a register of type <typeparamref name="TValue"/>.</summary>
    /// <remarks>
    /// Each branch hands <paramref name="io"/> to a helper that calls the backend once. RyuJIT
    /// copies a struct argument used by several calls inside one inlined method to a stack temp
    /// and reloads it before a volatile store (a spill per write); single-use helpers avoid that.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<TAccess, TValue>(TAccess io, nuint offset, ulong bits)
        where TAccess : struct, IRegisterAccess<TAccess>
        where TValue : struct, IRegisterValue<TValue>
    {
        int format = TValue.Format;
        bool big = (format & RegisterFormat.BigEndian) != 0;
        switch (format & RegisterFormat.WidthMask)
        {
            case 8:
                Write8(io, offset, (byte)bits);
                break;
            case 16:
                Write16(io, offset, big ? ByteOrder.Swap16((ushort)bits) : (ushort)bits);
                break;
            case 32:
                Write32(io, offset, big ? ByteOrder.Swap32((uint)bits) : (uint)bits);
                break;
            default:
                Write64(io, offset, big ? ByteOrder.Swap64(bits) : bits, (format & RegisterFormat.HighFirst) != 0);
                break;
        }
    }

    /// <summary>Writes an index to a selector register of the given width (selected groups, windows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WriteSelector<TAccess>(TAccess io, nuint offset, int width, uint index)
        where TAccess : struct, IRegisterAccess<TAccess>
    {
        if (width == 8)
            Write8(io, offset, (byte)index);
        else if (width == 16)
            Write16(io, offset, (ushort)index);
        else
            Write32(io, offset, index);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write8<TAccess>(TAccess io, nuint offset, byte value) where TAccess : struct, IRegisterAccess<TAccess>
        => io.Write8(offset, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write16<TAccess>(TAccess io, nuint offset, ushort value) where TAccess : struct, IRegisterAccess<TAccess>
        => io.Write16(offset, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Read32<TAccess>(TAccess io, nuint offset) where TAccess : struct, IRegisterAccess<TAccess>
        => io.Read32(offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Write32<TAccess>(TAccess io, nuint offset, uint value) where TAccess : struct, IRegisterAccess<TAccess>
        => io.Write32(offset, value);

    /// <summary>A 64-bit register as two 32-bit writes, in the order the device requires.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write64<TAccess>(TAccess io, nuint offset, ulong bits, bool highFirst) where TAccess : struct, IRegisterAccess<TAccess>
    {
        Write32(io, highFirst ? offset + 4 : offset, highFirst ? (uint)(bits >> 32) : (uint)bits);
        Write32(io, highFirst ? offset : offset + 4, highFirst ? (uint)bits : (uint)(bits >> 32));
    }

    /// <summary>
    /// Bits a plain write sends: every bit whose write has an effect in its no-effect state (0 for
    /// write-1 kinds, 1 for write-0 kinds), reserved bits as declared, the rest as given.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ForWrite<TValue>(TValue value) where TValue : struct, IRegisterValue<TValue>
        => (value.ToBits() & Plain<TValue>()) | TValue.W0CMask | TValue.W0SMask | TValue.W0TMask | TValue.Ones;

    /// <summary>Bits a clear sends: each clearing bit set in the value is sent as the level that clears it (1 for w1c, 0 for wzc); other effect bits at no effect.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ForClear<TValue>(TValue value) where TValue : struct, IRegisterValue<TValue>
        => ForEffect(value, TValue.W1CMask, TValue.W0CMask);

    /// <summary>Bits a set sends: each setting bit set in the value is sent as the level that sets it (1 for w1s, 0 for wzs); other effect bits at no effect.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ForSet<TValue>(TValue value) where TValue : struct, IRegisterValue<TValue>
        => ForEffect(value, TValue.W1SMask, TValue.W0SMask);

    /// <summary>Bits a toggle sends: each toggling bit set in the value is sent as the level that toggles it (1 for wot, 0 for wzt); other effect bits at no effect.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ForToggle<TValue>(TValue value) where TValue : struct, IRegisterValue<TValue>
        => ForEffect(value, TValue.W1TMask, TValue.W0TMask);

    /// <summary>Bits without a write effect and not reserved: written as given.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Plain<TValue>() where TValue : struct, IRegisterValue<TValue>
        => ~(TValue.W1CMask | TValue.W1SMask | TValue.W1TMask | TValue.W0CMask | TValue.W0SMask | TValue.W0TMask | TValue.Zeros);

    /// <summary>Plain bits as given; the chosen write-1 bits as given, the chosen write-0 bits inverted; every other effect bit at no effect.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ForEffect<TValue>(TValue value, ulong ones, ulong zeros) where TValue : struct, IRegisterValue<TValue>
    {
        ulong bits = value.ToBits();
        ulong idleOnes = (TValue.W0CMask | TValue.W0SMask | TValue.W0TMask) & ~zeros;
        return (bits & Plain<TValue>()) | (bits & ones) | (~bits & zeros) | idleOnes | TValue.Ones;
    }
}
