using System;
using System.Buffers.Binary;

namespace Regs.Runtime.Models;

/// <summary>A device model on PCI: a configuration space and up to six memory BARs.</summary>
public abstract class PciDeviceModel : DeviceModel
{
    /// <summary>A PCI model with the given identity; subclasses fill <see cref="Bars"/> and capabilities.</summary>
    protected PciDeviceModel(ModelNetwork network, ulong dmaDeviceAddress, nuint dmaBytes, ushort vendor, ushort device)
        : base(network, dmaDeviceAddress, dmaBytes)
    {
        Config = new PciConfigRegion(this, vendor, device);
    }

    /// <summary>Configuration space.</summary>
    public PciConfigRegion Config { get; }

    /// <summary>Memory BARs by index; null where absent.</summary>
    public ModelRegion?[] Bars { get; } = new ModelRegion?[6];

    /// <summary>True when the driver enabled bus mastering: without it the device may not DMA.</summary>
    public bool BusMaster => (Config.Command & 0x4) != 0;
}

/// <summary>
/// A type 0 configuration header with a capability list. Only Command is writable; BARs read as
/// assigned addresses (the model maps them by index, so the address is only informative).
/// </summary>
public sealed class PciConfigRegion : ModelRegion
{
    private readonly byte[] _space = new byte[256];
    private readonly uint[] _barWritable = new uint[6];   // per BAR register: the address bits a write changes (sizing)
    private byte _nextCapability = 0x40;

    internal PciConfigRegion(DeviceModel device, ushort vendor, ushort deviceId) : base(device)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_space.AsSpan(0), vendor);
        BinaryPrimitives.WriteUInt16LittleEndian(_space.AsSpan(2), deviceId);
        _space[0x0B] = 0x02; // network controller
    }

    /// <summary>The Command register's value.</summary>
    public ushort Command => BinaryPrimitives.ReadUInt16LittleEndian(_space.AsSpan(4));

    /// <summary>
    /// Sets BAR <paramref name="index"/>'s address as firmware would have assigned it. With a
    /// <paramref name="size"/> (a power of two) the BAR decodes that many bytes and answers sizing
    /// as hardware does (PCI 3.0 6.2.5.1: the address bits below the size read back 0 after all
    /// ones are written); a 64-bit BAR's upper register follows. Without one the BAR is read-only.
    /// </summary>
    public void SetBar(int index, uint address, ulong size = 0)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_space.AsSpan(0x10 + index * 4), address);
        if (size == 0) return;
        ulong mask = ~(size - 1);
        _barWritable[index] = (uint)mask & 0xFFFF_FFF0u;
        if ((address & 0x7) == 0x4 && index + 1 < 6) _barWritable[index + 1] = (uint)(mask >> 32);
    }

    /// <summary>Sets the subsystem vendor and subsystem ID (PCI 3.0 6.2.4).</summary>
    public void SetSubsystem(ushort vendor, ushort id)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_space.AsSpan(0x2C), vendor);
        BinaryPrimitives.WriteUInt16LittleEndian(_space.AsSpan(0x2E), id);
    }

    /// <summary>The raw bytes, for a model that rewrites its capabilities after building them.</summary>
    internal Span<byte> Bytes => _space;

    /// <summary>Appends a capability with <paramref name="id"/> and the bytes after its two-byte header; returns its offset.</summary>
    public byte AddCapability(byte id, ReadOnlySpan<byte> body)
    {
        byte at = _nextCapability;
        _space[at] = id;
        body.CopyTo(_space.AsSpan(at + 2));
        if (_space[0x34] == 0) _space[0x34] = at;
        else
        {
            byte last = _space[0x34];
            while (_space[last + 1] != 0) last = _space[last + 1];
            _space[last + 1] = at;
        }
        _space[0x06] |= 0x10; // capability list present
        _nextCapability = (byte)((at + 2 + body.Length + 3) & ~3);
        return at;
    }

    /// <inheritdoc/>
    protected override uint OnRead(nuint offset, int size)
    {
        if (offset + (nuint)size > 256) return uint.MaxValue;
        uint value = 0;
        for (int i = size - 1; i >= 0; i--) value = value << 8 | _space[(int)offset + i];
        return value;
    }

    /// <inheritdoc/>
    protected override void OnWrite(nuint offset, int size, uint value)
    {
        // Only Command (bytes 4-5) is writable: memory space, bus master, interrupt disable; and
        // the address bits of sized BARs.
        for (int i = 0; i < size; i++)
        {
            nuint at = offset + (nuint)i;
            byte b = (byte)(value >> (8 * i));
            if (at == 4) _space[4] = (byte)(b & 0x06);
            else if (at == 5) _space[5] = (byte)(b & 0x04);
            else if (at >= 0x10 && at < 0x28)
            {
                byte writable = (byte)(_barWritable[(at - 0x10) / 4] >> (int)(8 * ((at - 0x10) % 4)));
                _space[at] = (byte)((_space[at] & ~writable) | (b & writable));
            }
        }
    }
}
