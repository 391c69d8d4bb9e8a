using System;
using System.Buffers.Binary;
using Regs.Runtime;

namespace Regs.Packaging.Consumer;

/// <summary>
/// The test backend of the packaging consumers: registers as bytes of an array (little endian),
/// so a program can drive generated accessors and check every byte they wrote.
/// </summary>
public readonly struct ByteArrayAccess : IRegisterAccess<ByteArrayAccess>
{
    private readonly byte[] _bytes;
    private readonly int _base;

    public ByteArrayAccess(byte[] bytes) : this(bytes, 0) { }
    private ByteArrayAccess(byte[] bytes, int baseOffset) { _bytes = bytes; _base = baseOffset; }

    private Span<byte> At(nuint offset, int length) => _bytes.AsSpan(_base + checked((int)offset), length);

    public byte Read8(nuint offset) => At(offset, 1)[0];
    public ushort Read16(nuint offset) => BinaryPrimitives.ReadUInt16LittleEndian(At(offset, 2));
    public uint Read32(nuint offset) => BinaryPrimitives.ReadUInt32LittleEndian(At(offset, 4));
    public void Write8(nuint offset, byte value) => At(offset, 1)[0] = value;
    public void Write16(nuint offset, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(At(offset, 2), value);
    public void Write32(nuint offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(At(offset, 4), value);
    public ByteArrayAccess At(nuint offset) => new(_bytes, _base + checked((int)offset));
    public void Delay(uint microseconds) { }
}
