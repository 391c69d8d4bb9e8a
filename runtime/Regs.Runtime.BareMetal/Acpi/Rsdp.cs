using System.Runtime.InteropServices;

namespace Regs.Runtime.BareMetal.Acpi;

/// <summary>
/// The Root System Description Pointer (ACPI 6.5 section 5.2.5.3). Revision 0 (ACPI 1.0) has only
/// the first 20 bytes and an RSDT; revision 2+ adds the length, the XSDT address and an extended checksum.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 36)]
public struct Rsdp
{
    /// <summary>Bytes the revision 0 checksum covers.</summary>
    public const uint Revision0Length = 20;

    /// <summary>"RSD PTR " (<see cref="AcpiSignature.Rsdp"/>).</summary>
    [FieldOffset(0)] public ulong Signature;
    /// <summary>Makes the first 20 bytes sum to zero.</summary>
    [FieldOffset(8)] public byte Checksum;
    // Bytes 9-14: OEM ID (6 ASCII bytes), not needed here (no fixed buffer: the core library lacks them).
    /// <summary>0 for ACPI 1.0, 2 for ACPI 2.0 and later.</summary>
    [FieldOffset(15)] public byte Revision;
    /// <summary>Physical address of the RSDT.</summary>
    [FieldOffset(16)] public uint RsdtAddress;
    /// <summary>Length of this structure (revision 2+).</summary>
    [FieldOffset(20)] public uint Length;
    /// <summary>Physical address of the XSDT (revision 2+).</summary>
    [FieldOffset(24)] public ulong XsdtAddress;
    /// <summary>Makes all <see cref="Length"/> bytes sum to zero (revision 2+).</summary>
    [FieldOffset(32)] public byte ExtendedChecksum;
}
