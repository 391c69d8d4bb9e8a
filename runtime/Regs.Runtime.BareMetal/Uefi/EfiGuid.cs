using System.Runtime.InteropServices;

namespace Regs.Runtime.BareMetal.Uefi;

/// <summary>
/// EFI_GUID (UEFI 2.10 section 2.3.1, Appendix A): a 128-bit identifier stored as a 32-bit,
/// two 16-bit and eight 8-bit fields. <see cref="Data4"/> holds the eight bytes in memory order,
/// so byte 0 of the spec's Data4 array is its least significant byte.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
public struct EfiGuid
{
    /// <summary>The first 32 bits.</summary>
    [FieldOffset(0)] public uint Data1;
    /// <summary>The next 16 bits.</summary>
    [FieldOffset(4)] public ushort Data2;
    /// <summary>The next 16 bits.</summary>
    [FieldOffset(6)] public ushort Data3;
    /// <summary>The last eight bytes in memory order (Data4[0] is the low byte).</summary>
    [FieldOffset(8)] public ulong Data4;

    /// <summary>The GUID written as <c>d1-d2-d3-b0b1-b2b3b4b5b6b7</c>.</summary>
    public EfiGuid(uint d1, ushort d2, ushort d3, byte b0, byte b1, byte b2, byte b3, byte b4, byte b5, byte b6, byte b7)
    {
        Data1 = d1;
        Data2 = d2;
        Data3 = d3;
        Data4 = b0 | (ulong)b1 << 8 | (ulong)b2 << 16 | (ulong)b3 << 24
              | (ulong)b4 << 32 | (ulong)b5 << 40 | (ulong)b6 << 48 | (ulong)b7 << 56;
    }

    /// <summary>True when both GUIDs have the same 128 bits.</summary>
    public readonly bool SameAs(EfiGuid other)
        => Data1 == other.Data1 && Data2 == other.Data2 && Data3 == other.Data3 && Data4 == other.Data4;

    /// <summary>EFI_ACPI_20_TABLE_GUID 8868e871-e4f1-11d3-bc22-0080c73c8881 (UEFI 2.10 section 4.6.1.1): the ACPI 2.0+ RSDP.</summary>
    public static EfiGuid Acpi20Table => new(0x8868e871, 0xe4f1, 0x11d3, 0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81);

    /// <summary>ACPI_TABLE_GUID eb9d2d30-2d88-11d3-9a16-0090273fc14d (UEFI 2.10 section 4.6.1.1): the ACPI 1.0 RSDP.</summary>
    public static EfiGuid Acpi10Table => new(0xeb9d2d30, 0x2d88, 0x11d3, 0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d);
}
