using System.Runtime.InteropServices;

namespace Regs.Runtime.BareMetal.Uefi;

/// <summary>
/// EFI_SYSTEM_TABLE (UEFI 2.10 section 4.3.1) as laid out on x64: what the firmware hands a UEFI
/// application's entry point, next to its image handle.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 120)]
public unsafe struct EfiSystemTable
{
    /// <summary>EFI_SYSTEM_TABLE_SIGNATURE "IBI SYST" as a little-endian 64-bit value.</summary>
    public const ulong SignatureValue = 0x5453595320494249;

    /// <summary>The table header; Signature is <see cref="SignatureValue"/>.</summary>
    [FieldOffset(0)] public EfiTableHeader Hdr;
    /// <summary>The firmware vendor as a null-terminated UTF-16 string.</summary>
    [FieldOffset(24)] public char* FirmwareVendor;
    /// <summary>The firmware's own revision number.</summary>
    [FieldOffset(32)] public uint FirmwareRevision;
    /// <summary>The handle of the active console input device.</summary>
    [FieldOffset(40)] public void* ConsoleInHandle;
    /// <summary>EFI_SIMPLE_TEXT_INPUT_PROTOCOL of the console input (unused here).</summary>
    [FieldOffset(48)] public void* ConIn;
    /// <summary>The handle of the active console output device.</summary>
    [FieldOffset(56)] public void* ConsoleOutHandle;
    /// <summary>The console output; OVMF mirrors it to the serial port.</summary>
    [FieldOffset(64)] public EfiSimpleTextOutputProtocol* ConOut;
    /// <summary>The handle of the standard error device.</summary>
    [FieldOffset(72)] public void* StandardErrorHandle;
    /// <summary>The standard error output.</summary>
    [FieldOffset(80)] public EfiSimpleTextOutputProtocol* StdErr;
    /// <summary>The runtime services table.</summary>
    [FieldOffset(88)] public EfiRuntimeServices* RuntimeServices;
    /// <summary>The boot services table.</summary>
    [FieldOffset(96)] public EfiBootServices* BootServices;
    /// <summary>How many entries <see cref="ConfigurationTable"/> holds.</summary>
    [FieldOffset(104)] public nuint NumberOfTableEntries;
    /// <summary>The configuration tables (ACPI, SMBIOS...), each a GUID and a pointer.</summary>
    [FieldOffset(112)] public EfiConfigurationTable* ConfigurationTable;
}
