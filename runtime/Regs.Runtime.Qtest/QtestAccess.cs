using Regs.Runtime.Hosted;

namespace Regs.Runtime.Qtest;

/// <summary>
/// The register-access backend over qtest: each access is one qtest command to QEMU, either a
/// memory access at a guest-physical base (MMIO: a BAR, a virtio-mmio transport) or a PCI
/// configuration access of bus 0 device/function through ports 0xCF8/0xCFC. The default value
/// reaches nothing: reads return all ones (like an absent device) and writes are dropped.
/// </summary>
public readonly struct QtestAccess : IRegisterAccess<QtestAccess>
{
    private readonly QtestConnection? _connection;
    private readonly ulong _base;
    // -1 for memory; else (device << 3) | function of the configuration space reached.
    private readonly int _devfn;

    private QtestAccess(QtestConnection connection, ulong baseAddress, int devfn)
    {
        _connection = connection;
        _base = baseAddress;
        _devfn = devfn;
    }

    /// <summary>Registers in guest-physical memory from <paramref name="baseAddress"/>.</summary>
    public static QtestAccess Mmio(QtestConnection connection, ulong baseAddress) => new(connection, baseAddress, -1);

    /// <summary>The configuration space of bus 0 <paramref name="device"/>/<paramref name="function"/>.</summary>
    public static QtestAccess PciConfig(QtestConnection connection, int device, int function) => new(connection, 0, ((device & 31) << 3) | (function & 7));

    /// <summary>The connection accesses go through (null for the default value).</summary>
    public QtestConnection? Connection => _connection;

    /// <summary>The guest-physical address (or configuration offset) of offset 0.</summary>
    public ulong Base => _base;

    /// <summary>True when this reaches PCI configuration space rather than memory.</summary>
    public bool IsPciConfig => _devfn >= 0;

    /// <inheritdoc/>
    public byte Read8(nuint offset)
    {
        if (_connection is null) return 0xFF;
        return _devfn >= 0 ? (byte)_connection.PciConfigRead(_devfn >> 3, _devfn & 7, (uint)(_base + offset), 1) : _connection.ReadB(_base + offset);
    }

    /// <inheritdoc/>
    public ushort Read16(nuint offset)
    {
        if (_connection is null) return 0xFFFF;
        return _devfn >= 0 ? (ushort)_connection.PciConfigRead(_devfn >> 3, _devfn & 7, (uint)(_base + offset), 2) : _connection.ReadW(_base + offset);
    }

    /// <inheritdoc/>
    public uint Read32(nuint offset)
    {
        if (_connection is null) return 0xFFFF_FFFF;
        return _devfn >= 0 ? _connection.PciConfigRead(_devfn >> 3, _devfn & 7, (uint)(_base + offset), 4) : _connection.ReadL(_base + offset);
    }

    /// <inheritdoc/>
    public void Write8(nuint offset, byte value)
    {
        if (_connection is null) return;
        if (_devfn >= 0) _connection.PciConfigWrite(_devfn >> 3, _devfn & 7, (uint)(_base + offset), 1, value);
        else _connection.WriteB(_base + offset, value);
    }

    /// <inheritdoc/>
    public void Write16(nuint offset, ushort value)
    {
        if (_connection is null) return;
        if (_devfn >= 0) _connection.PciConfigWrite(_devfn >> 3, _devfn & 7, (uint)(_base + offset), 2, value);
        else _connection.WriteW(_base + offset, value);
    }

    /// <inheritdoc/>
    public void Write32(nuint offset, uint value)
    {
        if (_connection is null) return;
        if (_devfn >= 0) _connection.PciConfigWrite(_devfn >> 3, _devfn & 7, (uint)(_base + offset), 4, value);
        else _connection.WriteL(_base + offset, value);
    }

    /// <inheritdoc/>
    public QtestAccess At(nuint offset) => _connection is null ? default : new(_connection, _base + offset, _devfn);

    /// <summary>QEMU runs in real time (Debian's build has no qtest clock control), so this is the process clock's delay.</summary>
    public void Delay(uint microseconds) => MonotonicClock.Delay(microseconds);
}
