using System.Runtime.CompilerServices;

namespace Regs.Runtime;

// Register handles: one type per set of operations an access kind allows, so that a read-only
// register has no Write and a write-only one no Read. A handle is two words (backend, offset);
// generated properties create them and the JIT folds them away.

/// <summary>A read-only register.</summary>
public readonly struct RegisterRO<TAccess, TValue>
    where TAccess : struct, IRegisterAccess<TAccess>
    where TValue : struct, IRegisterValue<TValue>
{
    private readonly TAccess _io;
    private readonly nuint _offset;

    /// <summary>The register at <paramref name="offset"/> of <paramref name="io"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RegisterRO(TAccess io, nuint offset) { _io = io; _offset = offset; }

    /// <summary>Byte offset from the backend's base.</summary>
    public nuint Offset => _offset;

    /// <summary>Reads the register (one volatile access per 32 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TValue Read() => TValue.FromBits(RegisterIo.Read<TAccess, TValue>(_io, _offset));
}

/// <summary>A register whose read clears it (a read has side effects).</summary>
public readonly struct RegisterRC<TAccess, TValue>
    where TAccess : struct, IRegisterAccess<TAccess>
    where TValue : struct, IRegisterValue<TValue>
{
    private readonly TAccess _io;
    private readonly nuint _offset;

    /// <summary>The register at <paramref name="offset"/> of <paramref name="io"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RegisterRC(TAccess io, nuint offset) { _io = io; _offset = offset; }

    /// <summary>Byte offset from the backend's base.</summary>
    public nuint Offset => _offset;

    /// <summary>Reads the register; the device clears it as a side effect of this read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TValue ReadAndClear() => TValue.FromBits(RegisterIo.Read<TAccess, TValue>(_io, _offset));
}

/// <summary>A write-only register.</summary>
public readonly struct RegisterWO<TAccess, TValue>
    where TAccess : struct, IRegisterAccess<TAccess>
    where TValue : struct, IRegisterValue<TValue>
{
    private readonly TAccess _io;
    private readonly nuint _offset;

    /// <summary>The register at <paramref name="offset"/> of <paramref name="io"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RegisterWO(TAccess io, nuint offset) { _io = io; _offset = offset; }

    /// <summary>Byte offset from the backend's base.</summary>
    public nuint Offset => _offset;

    /// <summary>Writes the value; write-1-to-clear and write-1-to-set bits are sent as 0, reserved bits as declared.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(TValue value) => RegisterIo.Write<TAccess, TValue>(_io, _offset, RegisterIo.ForWrite(value));
}

/// <summary>A read-write register.</summary>
public readonly struct RegisterRW<TAccess, TValue>
    where TAccess : struct, IRegisterAccess<TAccess>
    where TValue : struct, IRegisterValue<TValue>
{
    private readonly TAccess _io;
    private readonly nuint _offset;

    /// <summary>The register at <paramref name="offset"/> of <paramref name="io"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RegisterRW(TAccess io, nuint offset) { _io = io; _offset = offset; }

    /// <summary>Byte offset from the backend's base.</summary>
    public nuint Offset => _offset;

    /// <summary>Reads the register (one volatile access per 32 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TValue Read() => TValue.FromBits(RegisterIo.Read<TAccess, TValue>(_io, _offset));

    /// <summary>Writes the value; write-1-to-clear and write-1-to-set bits are sent as 0, reserved bits as declared.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(TValue value) => RegisterIo.Write<TAccess, TValue>(_io, _offset, RegisterIo.ForWrite(value));
}

/// <summary>A read-write register with write-1-to-clear fields.</summary>
public readonly struct RegisterRWC<TAccess, TValue>
    where TAccess : struct, IRegisterAccess<TAccess>
    where TValue : struct, IRegisterValue<TValue>
{
    private readonly TAccess _io;
    private readonly nuint _offset;

    /// <summary>The register at <paramref name="offset"/> of <paramref name="io"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RegisterRWC(TAccess io, nuint offset) { _io = io; _offset = offset; }

    /// <summary>Byte offset from the backend's base.</summary>
    public nuint Offset => _offset;

    /// <summary>Reads the register (one volatile access per 32 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TValue Read() => TValue.FromBits(RegisterIo.Read<TAccess, TValue>(_io, _offset));

    /// <summary>Writes the value; write-1-to-clear and write-1-to-set bits are sent as 0, reserved bits as declared.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(TValue value) => RegisterIo.Write<TAccess, TValue>(_io, _offset, RegisterIo.ForWrite(value));

    /// <summary>Writes the value with its write-1-to-clear bits as given: each 1 clears that event.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Clear(TValue value) => RegisterIo.Write<TAccess, TValue>(_io, _offset, RegisterIo.ForClear(value));
}

/// <summary>A read-write register with write-1-to-set fields.</summary>
public readonly struct RegisterRWS<TAccess, TValue>
    where TAccess : struct, IRegisterAccess<TAccess>
    where TValue : struct, IRegisterValue<TValue>
{
    private readonly TAccess _io;
    private readonly nuint _offset;

    /// <summary>The register at <paramref name="offset"/> of <paramref name="io"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RegisterRWS(TAccess io, nuint offset) { _io = io; _offset = offset; }

    /// <summary>Byte offset from the backend's base.</summary>
    public nuint Offset => _offset;

    /// <summary>Reads the register (one volatile access per 32 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TValue Read() => TValue.FromBits(RegisterIo.Read<TAccess, TValue>(_io, _offset));

    /// <summary>Writes the value; write-1-to-clear and write-1-to-set bits are sent as 0, reserved bits as declared.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(TValue value) => RegisterIo.Write<TAccess, TValue>(_io, _offset, RegisterIo.ForWrite(value));

    /// <summary>Writes the value with its write-1-to-set bits as given: each 1 sets that bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(TValue value) => RegisterIo.Write<TAccess, TValue>(_io, _offset, RegisterIo.ForSet(value));
}

/// <summary>A read-write register with write-1-to-clear and write-1-to-set fields.</summary>
public readonly struct RegisterRWCS<TAccess, TValue>
    where TAccess : struct, IRegisterAccess<TAccess>
    where TValue : struct, IRegisterValue<TValue>
{
    private readonly TAccess _io;
    private readonly nuint _offset;

    /// <summary>The register at <paramref name="offset"/> of <paramref name="io"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RegisterRWCS(TAccess io, nuint offset) { _io = io; _offset = offset; }

    /// <summary>Byte offset from the backend's base.</summary>
    public nuint Offset => _offset;

    /// <summary>Reads the register (one volatile access per 32 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TValue Read() => TValue.FromBits(RegisterIo.Read<TAccess, TValue>(_io, _offset));

    /// <summary>Writes the value; write-1-to-clear and write-1-to-set bits are sent as 0, reserved bits as declared.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(TValue value) => RegisterIo.Write<TAccess, TValue>(_io, _offset, RegisterIo.ForWrite(value));

    /// <summary>Writes the value with its write-1-to-clear bits as given: each 1 clears that event.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Clear(TValue value) => RegisterIo.Write<TAccess, TValue>(_io, _offset, RegisterIo.ForClear(value));

    /// <summary>Writes the value with its write-1-to-set bits as given: each 1 sets that bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(TValue value) => RegisterIo.Write<TAccess, TValue>(_io, _offset, RegisterIo.ForSet(value));
}

/// <summary>A write-1-to-clear register.</summary>
public readonly struct RegisterW1C<TAccess, TValue>
    where TAccess : struct, IRegisterAccess<TAccess>
    where TValue : struct, IRegisterValue<TValue>
{
    private readonly TAccess _io;
    private readonly nuint _offset;

    /// <summary>The register at <paramref name="offset"/> of <paramref name="io"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RegisterW1C(TAccess io, nuint offset) { _io = io; _offset = offset; }

    /// <summary>Byte offset from the backend's base.</summary>
    public nuint Offset => _offset;

    /// <summary>Reads the register (one volatile access per 32 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TValue Read() => TValue.FromBits(RegisterIo.Read<TAccess, TValue>(_io, _offset));

    /// <summary>Writes the value with its write-1-to-clear bits as given: each 1 clears that event.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Clear(TValue value) => RegisterIo.Write<TAccess, TValue>(_io, _offset, RegisterIo.ForClear(value));
}

/// <summary>A write-1-to-set register.</summary>
public readonly struct RegisterW1S<TAccess, TValue>
    where TAccess : struct, IRegisterAccess<TAccess>
    where TValue : struct, IRegisterValue<TValue>
{
    private readonly TAccess _io;
    private readonly nuint _offset;

    /// <summary>The register at <paramref name="offset"/> of <paramref name="io"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RegisterW1S(TAccess io, nuint offset) { _io = io; _offset = offset; }

    /// <summary>Byte offset from the backend's base.</summary>
    public nuint Offset => _offset;

    /// <summary>Reads the register (one volatile access per 32 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TValue Read() => TValue.FromBits(RegisterIo.Read<TAccess, TValue>(_io, _offset));

    /// <summary>Writes the value with its write-1-to-set bits as given: each 1 sets that bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(TValue value) => RegisterIo.Write<TAccess, TValue>(_io, _offset, RegisterIo.ForSet(value));
}

/// <summary>A register that a read clears and a write of 1 clears.</summary>
public readonly struct RegisterRCW1C<TAccess, TValue>
    where TAccess : struct, IRegisterAccess<TAccess>
    where TValue : struct, IRegisterValue<TValue>
{
    private readonly TAccess _io;
    private readonly nuint _offset;

    /// <summary>The register at <paramref name="offset"/> of <paramref name="io"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public RegisterRCW1C(TAccess io, nuint offset) { _io = io; _offset = offset; }

    /// <summary>Byte offset from the backend's base.</summary>
    public nuint Offset => _offset;

    /// <summary>Reads the register; the device clears it as a side effect of this read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TValue ReadAndClear() => TValue.FromBits(RegisterIo.Read<TAccess, TValue>(_io, _offset));

    /// <summary>Writes the value with its write-1-to-clear bits as given: each 1 clears that event.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Clear(TValue value) => RegisterIo.Write<TAccess, TValue>(_io, _offset, RegisterIo.ForClear(value));
}
