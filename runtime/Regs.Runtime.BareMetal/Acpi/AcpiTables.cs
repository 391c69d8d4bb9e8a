using Regs.Runtime.BareMetal.Uefi;

namespace Regs.Runtime.BareMetal.Acpi;

/// <summary>
/// Finds ACPI tables through the UEFI configuration table: the RSDP (UEFI 2.10 section 4.6.1.1),
/// then the XSDT, or the RSDT on ACPI 1.0 (ACPI 6.5 sections 5.2.5, 5.2.7, 5.2.8). Every table is
/// checked (signature, length bounds, checksum) before use, and every walk is bounded, so corrupt
/// firmware tables give "not found" rather than a hang or a wild read beyond the table.
/// </summary>
public static unsafe class AcpiTables
{
    /// <summary>Tables longer than this (1 MiB) are treated as corrupt.</summary>
    public const uint MaxTableLength = 1u << 20;

    /// <summary>At most this many XSDT/RSDT entries are looked at.</summary>
    public const uint MaxEntries = 1024;

    /// <summary>
    /// The RSDP the firmware published (the ACPI 2.0 GUID first, then ACPI 1.0), with its checksums
    /// verified; false when there is none or it is corrupt. Needs <see cref="UefiPlatform.Initialize"/>.
    /// </summary>
    public static bool TryFindRsdp(out Rsdp* rsdp)
    {
        rsdp = null;
        void* table;
        if (!UefiPlatform.TryFindConfigurationTable(EfiGuid.Acpi20Table, out table)
            && !UefiPlatform.TryFindConfigurationTable(EfiGuid.Acpi10Table, out table)) return false;
        var candidate = (Rsdp*)table;
        if (candidate->Signature != AcpiSignature.Rsdp) return false;
        if (!Checksum((byte*)candidate, Rsdp.Revision0Length)) return false;   // 5.2.5.3: first 20 bytes
        if (candidate->Revision >= 2)
        {
            uint length = candidate->Length;
            if (length < 36 || length > 4096 || !Checksum((byte*)candidate, length)) return false;   // extended checksum
        }
        rsdp = candidate;
        return true;
    }

    /// <summary>
    /// The <paramref name="instance"/>th (from 0) table with <paramref name="signature"/> listed in
    /// the XSDT (or RSDT), checksum verified; false when there is none.
    /// </summary>
    public static bool TryFindTable(uint signature, uint instance, out AcpiTableHeader* table)
    {
        table = null;
        if (!TryFindRsdp(out Rsdp* rsdp)) return false;

        bool wide = rsdp->Revision >= 2 && rsdp->XsdtAddress != 0;
        var root = wide ? (AcpiTableHeader*)(nuint)rsdp->XsdtAddress : (AcpiTableHeader*)(nuint)rsdp->RsdtAddress;
        if (!IsValid(root, wide ? AcpiSignature.Xsdt : AcpiSignature.Rsdt))
        {
            if (!wide) return false;
            wide = false;   // a corrupt XSDT: fall back to the RSDT if there is one
            root = (AcpiTableHeader*)(nuint)rsdp->RsdtAddress;
            if (!IsValid(root, AcpiSignature.Rsdt)) return false;
        }

        uint entrySize = wide ? 8u : 4u;
        uint count = (root->Length - AcpiTableHeader.Size) / entrySize;
        if (count > MaxEntries) count = MaxEntries;
        byte* entries = (byte*)root + AcpiTableHeader.Size;
        uint seen = 0;
        for (uint i = 0; i < count; i++)
        {
            // XSDT entries are 64-bit at offset 36, so not 8-byte aligned; x86 loads them anyway.
            ulong address = wide ? *(ulong*)(entries + i * 8) : *(uint*)(entries + i * 4);
            if (address == 0) continue;
            var candidate = (AcpiTableHeader*)(nuint)address;
            if (candidate->Signature != signature || !IsValid(candidate, signature)) continue;
            if (seen++ == instance) { table = candidate; return true; }
        }
        return false;
    }

    /// <summary>True when <paramref name="table"/> has <paramref name="signature"/>, a length within bounds and a zero checksum.</summary>
    public static bool IsValid(AcpiTableHeader* table, uint signature)
    {
        if (table == null || table->Signature != signature) return false;
        uint length = table->Length;
        if (length < AcpiTableHeader.Size || length > MaxTableLength) return false;
        return Checksum((byte*)table, length);
    }

    /// <summary>True when the <paramref name="length"/> bytes at <paramref name="bytes"/> sum to zero modulo 256 (ACPI 6.5 section 5.2.6).</summary>
    public static bool Checksum(byte* bytes, uint length)
    {
        byte sum = 0;
        for (uint i = 0; i < length; i++) sum += bytes[i];
        return sum == 0;
    }
}
