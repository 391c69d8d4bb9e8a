namespace Regs.Runtime.BareMetal.Acpi;

/// <summary>Table signatures as little-endian integers (ACPI 6.5 sections 5.2.5-5.2.8; PCI Firmware 3.3 section 4.1.2).</summary>
public static class AcpiSignature
{
    /// <summary>"RSD PTR " (the RSDP, 8 bytes).</summary>
    public const ulong Rsdp = 0x2052545020445352;
    /// <summary>"RSDT": 32-bit table pointers (ACPI 1.0).</summary>
    public const uint Rsdt = 0x54445352;
    /// <summary>"XSDT": 64-bit table pointers (ACPI 2.0+).</summary>
    public const uint Xsdt = 0x54445358;
    /// <summary>"MCFG": the PCI Express memory-mapped configuration space (ECAM) regions.</summary>
    public const uint Mcfg = 0x4746434D;
}
