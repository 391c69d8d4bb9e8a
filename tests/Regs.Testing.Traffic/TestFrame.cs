using System;
using System.Buffers.Binary;
using Regs.Net;

namespace Regs.Testing.Traffic;

/// <summary>
/// The numbered test frame: destination, source, EtherType, a 64-bit id (little-endian), then
/// bytes that follow from the id alone; its length (60 to 1514 bytes) follows from the id too. A
/// receiver that reads the header can rebuild the whole frame, so every byte is checked.
/// </summary>
public static class TestFrame
{
    /// <summary>Where the id starts (after the Ethernet header).</summary>
    public const int IdOffset = 14;
    /// <summary>Ethernet header and id: the bytes a receiver reads to rebuild the rest.</summary>
    public const int HeaderLength = IdOffset + sizeof(long);
    /// <summary>The shortest frame (Ethernet's minimum without the FCS).</summary>
    public const int MinimumLength = 60;
    /// <summary>The longest frame (a full 1500-byte payload).</summary>
    public const int MaximumLength = 1514;

    /// <summary>The length of frame <paramref name="id"/>: consecutive ids differ, and every length from 60 to 1514 comes round.</summary>
    public static int Length(long id) => MinimumLength + (int)((ulong)id * 37 % (MaximumLength - MinimumLength + 1));

    /// <summary>Writes frame <paramref name="id"/> into <paramref name="frame"/> (at least <see cref="Length"/> bytes); returns its length.</summary>
    public static int Write(Span<byte> frame, ushort etherType, MacAddress to, MacAddress from, long id)
    {
        int length = Length(id);
        to.CopyTo(frame);
        from.CopyTo(frame.Slice(6));
        BinaryPrimitives.WriteUInt16BigEndian(frame.Slice(12), etherType);
        BinaryPrimitives.WriteInt64LittleEndian(frame.Slice(IdOffset), id);
        Payload(id, length).CopyTo(frame.Slice(HeaderLength));
        return length;
    }

    /// <summary>Frame <paramref name="id"/> as a new array.</summary>
    public static byte[] Create(ushort etherType, MacAddress to, MacAddress from, long id)
    {
        var frame = new byte[Length(id)];
        Write(frame, etherType, to, from, id);
        return frame;
    }

    /// <summary>The id of a frame at least <see cref="HeaderLength"/> long.</summary>
    public static long Id(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadInt64LittleEndian(frame.Slice(IdOffset));

    /// <summary>True when the bytes after the header, and the length, are what <see cref="Write"/> puts for the frame's own id.</summary>
    public static bool IsIntact(ReadOnlySpan<byte> frame)
    {
        long id = Id(frame);
        return frame.Length == Length(id) && frame.Slice(HeaderLength).SequenceEqual(Payload(id, frame.Length));
    }

    // The byte at offset j is (seed + j) mod 256, the seed changing with the id's low bits and its
    // next ones (so a stale buffer of another id shows): a run of Ramp, compared and copied whole.
    private static readonly byte[] Ramp = CreateRamp();

    private static ReadOnlySpan<byte> Payload(long id, int length)
        => Ramp.AsSpan((int)(unchecked(id * 7 + (id >> 8) * 13 + HeaderLength) & 0xFF), length - HeaderLength);

    private static byte[] CreateRamp()
    {
        var ramp = new byte[256 + MaximumLength];
        for (int i = 0; i < ramp.Length; i++) ramp[i] = (byte)i;
        return ramp;
    }
}
