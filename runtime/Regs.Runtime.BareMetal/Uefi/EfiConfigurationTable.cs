using System.Runtime.InteropServices;

namespace Regs.Runtime.BareMetal.Uefi;

/// <summary>EFI_CONFIGURATION_TABLE (UEFI 2.10 section 4.6): one entry of the system table's configuration tables.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
public unsafe struct EfiConfigurationTable
{
    /// <summary>What the table is (<see cref="EfiGuid.Acpi20Table"/>...).</summary>
    [FieldOffset(0)] public EfiGuid VendorGuid;
    /// <summary>The table itself (physical address; memory is identity mapped).</summary>
    [FieldOffset(16)] public void* VendorTable;
}
