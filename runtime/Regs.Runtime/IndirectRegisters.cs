using System.Runtime.CompilerServices;

namespace Regs.Runtime;

/// <summary>How an indirect register access ended: errors are values, never exceptions.</summary>
public enum IndirectStatus
{
    /// <summary>The device completed the access.</summary>
    Ok = 0,
    /// <summary>The device did not signal completion within the bounded wait.</summary>
    Timeout = 1,
    /// <summary>The device completed the access and reported an error.</summary>
    DeviceError = 2,
}

/// <summary>
/// A register space reachable only through a command register of another block (igb's PHY
/// behind MDIC). The generator emits one implementation per declared port.
/// </summary>
public interface IIndirectPort
{
    /// <summary>Reads register <paramref name="address"/> of the space.</summary>
    IndirectStatus Read(uint address, out ulong value);
    /// <summary>Writes register <paramref name="address"/> of the space.</summary>
    IndirectStatus Write(uint address, ulong value);
}

/// <summary>A read-only register of an indirect space.</summary>
public readonly struct IndirectRO<TPort, TValue>
    where TPort : struct, IIndirectPort
    where TValue : struct, IRegisterValue<TValue>
{
    private readonly TPort _port;
    private readonly uint _address;

    /// <summary>Register <paramref name="address"/> behind <paramref name="port"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public IndirectRO(TPort port, uint address) { _port = port; _address = address; }

    /// <summary>The register number within the space.</summary>
    public uint Address => _address;

    /// <summary>Reads the register; <paramref name="value"/> is default unless the result is <see cref="IndirectStatus.Ok"/>.</summary>
    public IndirectStatus Read(out TValue value)
    {
        IndirectStatus status = _port.Read(_address, out ulong bits);
        value = status == IndirectStatus.Ok ? TValue.FromBits(bits) : default;
        return status;
    }
}

/// <summary>A write-only register of an indirect space.</summary>
public readonly struct IndirectWO<TPort, TValue>
    where TPort : struct, IIndirectPort
    where TValue : struct, IRegisterValue<TValue>
{
    private readonly TPort _port;
    private readonly uint _address;

    /// <summary>Register <paramref name="address"/> behind <paramref name="port"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public IndirectWO(TPort port, uint address) { _port = port; _address = address; }

    /// <summary>The register number within the space.</summary>
    public uint Address => _address;

    /// <summary>Writes the register.</summary>
    public IndirectStatus Write(TValue value) => _port.Write(_address, RegisterIo.ForWrite(value));
}

/// <summary>A read-write register of an indirect space.</summary>
public readonly struct IndirectRW<TPort, TValue>
    where TPort : struct, IIndirectPort
    where TValue : struct, IRegisterValue<TValue>
{
    private readonly TPort _port;
    private readonly uint _address;

    /// <summary>Register <paramref name="address"/> behind <paramref name="port"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public IndirectRW(TPort port, uint address) { _port = port; _address = address; }

    /// <summary>The register number within the space.</summary>
    public uint Address => _address;

    /// <summary>Reads the register; <paramref name="value"/> is default unless the result is <see cref="IndirectStatus.Ok"/>.</summary>
    public IndirectStatus Read(out TValue value)
    {
        IndirectStatus status = _port.Read(_address, out ulong bits);
        value = status == IndirectStatus.Ok ? TValue.FromBits(bits) : default;
        return status;
    }

    /// <summary>Writes the register.</summary>
    public IndirectStatus Write(TValue value) => _port.Write(_address, RegisterIo.ForWrite(value));
}
