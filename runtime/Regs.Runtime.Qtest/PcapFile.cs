using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;

namespace Regs.Runtime.Qtest;

/// <summary>
/// Reads classic pcap files such as QEMU's filter-dump writes (net/dump.c: magic 0xA1B2C3D4,
/// link type Ethernet), so tests can compare frames byte for byte with what a driver sent.
/// A record cut short at the end (QEMU still writing) is ignored.
/// </summary>
public static class PcapFile
{
    /// <summary>The frames in <paramref name="path"/>, in capture order; empty when the file does not exist yet.</summary>
    public static IReadOnlyList<PcapFrame> Read(string path)
    {
        if (!File.Exists(path)) return Array.Empty<PcapFrame>();
        byte[] bytes;
        // QEMU keeps the file open for writing.
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        using (var memory = new MemoryStream())
        {
            stream.CopyTo(memory);
            bytes = memory.ToArray();
        }
        return Parse(bytes);
    }

    /// <summary>The frames of a pcap file's contents.</summary>
    public static IReadOnlyList<PcapFrame> Parse(ReadOnlySpan<byte> file)
    {
        var frames = new List<PcapFrame>();
        if (file.Length < 24) return frames;
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(file);
        bool little, nanoseconds;
        switch (magic)
        {
            case 0xA1B2C3D4: little = true; nanoseconds = false; break;
            case 0xA1B23C4D: little = true; nanoseconds = true; break;
            case 0xD4C3B2A1: little = false; nanoseconds = false; break;
            case 0x4D3CB2A1: little = false; nanoseconds = true; break;
            default: throw new InvalidDataException($"not a pcap file (magic 0x{magic:x8})");
        }
        int at = 24;
        while (at + 16 <= file.Length)
        {
            var header = file.Slice(at, 16);
            uint seconds = U32(header, little), fraction = U32(header.Slice(4), little);
            uint included = U32(header.Slice(8), little), original = U32(header.Slice(12), little);
            if (included > int.MaxValue || at + 16 + (long)included > file.Length) break;
            ulong micro = seconds * 1_000_000UL + (nanoseconds ? fraction / 1000 : fraction);
            frames.Add(new PcapFrame(micro, file.Slice(at + 16, (int)included).ToArray(), (int)original));
            at += 16 + (int)included;
        }
        return frames;
    }

    private static uint U32(ReadOnlySpan<byte> b, bool little) => little ? BinaryPrimitives.ReadUInt32LittleEndian(b) : BinaryPrimitives.ReadUInt32BigEndian(b);
}
