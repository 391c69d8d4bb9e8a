namespace Regs.Runtime.BareMetal;

/// <summary>
/// A register-access backend over x86 I/O ports: register offset n is port base + n. Byte
/// accesses only (the devices reached this way here, the 16550 UART, have byte registers); wider
/// accesses are composed of bytes, low first.
/// </summary>
public readonly struct PortIoAccess : IRegisterAccess<PortIoAccess>
{
    private readonly ushort _base;

    /// <summary>Registers from I/O port <paramref name="basePort"/>.</summary>
    public PortIoAccess(ushort basePort) { _base = basePort; }

    /// <inheritdoc/>
    public byte Read8(nuint offset) => PortIo.In8((ushort)(_base + offset));
    /// <inheritdoc/>
    public ushort Read16(nuint offset) => (ushort)(Read8(offset) | Read8(offset + 1) << 8);
    /// <inheritdoc/>
    public uint Read32(nuint offset) => Read16(offset) | (uint)Read16(offset + 2) << 16;
    /// <inheritdoc/>
    public void Write8(nuint offset, byte value) => PortIo.Out8((ushort)(_base + offset), value);
    /// <inheritdoc/>
    public void Write16(nuint offset, ushort value) { Write8(offset, (byte)value); Write8(offset + 1, (byte)(value >> 8)); }
    /// <inheritdoc/>
    public void Write32(nuint offset, uint value) { Write16(offset, (ushort)value); Write16(offset + 2, (ushort)(value >> 16)); }
    /// <inheritdoc/>
    public PortIoAccess At(nuint offset) => new((ushort)(_base + offset));
    /// <inheritdoc/>
    public void Delay(uint microseconds) => TscClock.Delay(microseconds);
}
