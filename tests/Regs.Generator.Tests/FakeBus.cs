using System.Collections.Generic;
using Regs.Runtime;

namespace Regs.Generator.Tests;

/// <summary>Memory behind a fake device, with a log of every access the generated code makes.</summary>
internal class FakeDevice
{
    public readonly byte[] Memory = new byte[0x20000];
    public readonly List<string> Log = new();
    public ulong DelayedMicroseconds;

    public virtual uint Read(nuint offset, int width)
    {
        uint v = 0;
        for (int i = 0; i < width / 8; i++) v |= (uint)Memory[(int)offset + i] << (8 * i);
        Log.Add($"R{width} 0x{offset:X}");
        return v;
    }

    public virtual void Write(nuint offset, int width, uint value)
    {
        for (int i = 0; i < width / 8; i++) Memory[(int)offset + i] = (byte)(value >> (8 * i));
        Log.Add($"W{width} 0x{offset:X}=0x{value:X}");
    }

    public uint Peek32(int offset) => System.BitConverter.ToUInt32(Memory, offset);
    public void Poke32(int offset, uint value) => System.BitConverter.GetBytes(value).CopyTo(Memory, offset);
}

/// <summary>A register-access backend over a <see cref="FakeDevice"/>: the intercepting kind of backend.</summary>
internal readonly struct FakeBus : IRegisterAccess<FakeBus>
{
    private readonly FakeDevice _device;
    private readonly nuint _base;

    public FakeBus(FakeDevice device, nuint @base = 0) { _device = device; _base = @base; }

    public byte Read8(nuint offset) => (byte)_device.Read(_base + offset, 8);
    public ushort Read16(nuint offset) => (ushort)_device.Read(_base + offset, 16);
    public uint Read32(nuint offset) => _device.Read(_base + offset, 32);
    public void Write8(nuint offset, byte value) => _device.Write(_base + offset, 8, value);
    public void Write16(nuint offset, ushort value) => _device.Write(_base + offset, 16, value);
    public void Write32(nuint offset, uint value) => _device.Write(_base + offset, 32, value);
    public FakeBus At(nuint offset) => new(_device, _base + offset);
    public void Delay(uint microseconds) => _device.DelayedMicroseconds += microseconds;
}
