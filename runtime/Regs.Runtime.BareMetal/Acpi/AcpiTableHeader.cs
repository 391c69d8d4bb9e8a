using System.Runtime.InteropServices;

namespace Regs.Runtime.BareMetal.Acpi;

/// <summary>The 36-byte header every ACPI system description table starts with (ACPI 6.5 section 5.2.6).</summary>
[StructLayout(LayoutKind.Explicit, Size = 36)]
public struct AcpiTableHeader
{
    /// <summary>The size of this header.</summary>
    public const uint Size = 36;

    /// <summary>Four ASCII characters naming the table, as a little-endian 32-bit value (<see cref="AcpiSignature"/>).</summary>
    [FieldOffset(0)] public uint Signature;
    /// <summary>Length of the whole table in bytes, this header included.</summary>
    [FieldOffset(4)] public uint Length;
    /// <summary>Revision of the table's structure.</summary>
    [FieldOffset(8)] public byte Revision;
    /// <summary>Makes the bytes of the whole table sum to zero.</summary>
    [FieldOffset(9)] public byte Checksum;
    // Bytes 10-15: OEM ID (6 ASCII bytes), not needed here (no fixed buffer: the core library lacks them).
    /// <summary>OEM table identifier (8 ASCII bytes).</summary>
    [FieldOffset(16)] public ulong OemTableId;
    /// <summary>OEM revision.</summary>
    [FieldOffset(24)] public uint OemRevision;
    /// <summary>Vendor ID of the tool that made the table.</summary>
    [FieldOffset(28)] public uint CreatorId;
    /// <summary>Revision of that tool.</summary>
    [FieldOffset(32)] public uint CreatorRevision;
}
