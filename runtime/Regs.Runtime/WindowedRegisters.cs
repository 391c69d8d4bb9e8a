using System.Runtime.CompilerServices;

namespace Regs.Runtime;

// A value wider than its register, seen part by part: write part number i to a select register,
// then access the data register (virtio's 64 feature bits through a 32-bit window).

/// <summary>A wide read-only value read through a 32-bit window.</summary>
public readonly struct WindowRO<TAccess, TValue>
    where TAccess : struct, IRegisterAccess<TAccess>
    where TValue : struct, IRegisterValue<TValue>
{
    private readonly TAccess _io;
    private readonly nuint _data, _select;
    private readonly int _selectWidth;

    /// <summary>The window with data register at <paramref name="data"/> and selector at <paramref name="select"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public WindowRO(TAccess io, nuint data, nuint select, int selectWidth) { _io = io; _data = data; _select = select; _selectWidth = selectWidth; }

    /// <summary>Reads every 32-bit part, part 0 (the low bits) first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TValue Read() => TValue.FromBits(Window.Read<TAccess, TValue>(_io, _data, _select, _selectWidth));
}

/// <summary>A wide write-only value written through a 32-bit window.</summary>
public readonly struct WindowWO<TAccess, TValue>
    where TAccess : struct, IRegisterAccess<TAccess>
    where TValue : struct, IRegisterValue<TValue>
{
    private readonly TAccess _io;
    private readonly nuint _data, _select;
    private readonly int _selectWidth;

    /// <summary>The window with data register at <paramref name="data"/> and selector at <paramref name="select"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public WindowWO(TAccess io, nuint data, nuint select, int selectWidth) { _io = io; _data = data; _select = select; _selectWidth = selectWidth; }

    /// <summary>Writes every 32-bit part, part 0 (the low bits) first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(TValue value) => Window.Write<TAccess, TValue>(_io, _data, _select, _selectWidth, RegisterIo.ForWrite(value));
}

/// <summary>A wide read-write value accessed through a 32-bit window.</summary>
public readonly struct WindowRW<TAccess, TValue>
    where TAccess : struct, IRegisterAccess<TAccess>
    where TValue : struct, IRegisterValue<TValue>
{
    private readonly TAccess _io;
    private readonly nuint _data, _select;
    private readonly int _selectWidth;

    /// <summary>The window with data register at <paramref name="data"/> and selector at <paramref name="select"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public WindowRW(TAccess io, nuint data, nuint select, int selectWidth) { _io = io; _data = data; _select = select; _selectWidth = selectWidth; }

    /// <summary>Reads every 32-bit part, part 0 (the low bits) first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TValue Read() => TValue.FromBits(Window.Read<TAccess, TValue>(_io, _data, _select, _selectWidth));

    /// <summary>Writes every 32-bit part, part 0 (the low bits) first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(TValue value) => Window.Write<TAccess, TValue>(_io, _data, _select, _selectWidth, RegisterIo.ForWrite(value));
}

/// <summary>The select-then-access sequence shared by the window handles.</summary>
public static class Window
{
    /// <summary>Reads <c>width/32</c> parts through the window.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Read<TAccess, TValue>(TAccess io, nuint data, nuint select, int selectWidth)
        where TAccess : struct, IRegisterAccess<TAccess>
        where TValue : struct, IRegisterValue<TValue>
    {
        // A window is one or two 32-bit parts; straight-line code, which the JIT does not unroll from a loop.
        RegisterIo.WriteSelector(io, select, selectWidth, 0);
        ulong value = RegisterIo.Read32(io, data);
        if ((TValue.Format & RegisterFormat.WidthMask) > 32)
        {
            RegisterIo.WriteSelector(io, select, selectWidth, 1);
            value |= (ulong)RegisterIo.Read32(io, data) << 32;
        }
        return value;
    }

    /// <summary>Writes <c>width/32</c> parts through the window.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<TAccess, TValue>(TAccess io, nuint data, nuint select, int selectWidth, ulong bits)
        where TAccess : struct, IRegisterAccess<TAccess>
        where TValue : struct, IRegisterValue<TValue>
    {
        RegisterIo.WriteSelector(io, select, selectWidth, 0);
        RegisterIo.Write32(io, data, (uint)bits);
        if ((TValue.Format & RegisterFormat.WidthMask) > 32)
        {
            RegisterIo.WriteSelector(io, select, selectWidth, 1);
            RegisterIo.Write32(io, data, (uint)(bits >> 32));
        }
    }
}
