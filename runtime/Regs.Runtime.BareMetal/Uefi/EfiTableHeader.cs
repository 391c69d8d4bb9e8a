using System.Runtime.InteropServices;

namespace Regs.Runtime.BareMetal.Uefi;

/// <summary>EFI_TABLE_HEADER (UEFI 2.10 section 4.2.1): the 24 bytes every UEFI service table starts with.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
public struct EfiTableHeader
{
    /// <summary>Identifies the table ("IBI SYST", "BOOTSERV", "RUNTSERV" as little-endian 64-bit values).</summary>
    [FieldOffset(0)] public ulong Signature;
    /// <summary>The UEFI revision the table conforms to (major in the upper 16 bits).</summary>
    [FieldOffset(8)] public uint Revision;
    /// <summary>Size of the whole table in bytes, this header included.</summary>
    [FieldOffset(12)] public uint HeaderSize;
    /// <summary>CRC32 of the table with this field zero.</summary>
    [FieldOffset(16)] public uint Crc32;
    /// <summary>Reserved, zero.</summary>
    [FieldOffset(20)] public uint Reserved;
}
