namespace Regs.Runtime.BareMetal.Acpi;

/// <summary>
/// The MCFG table (PCI Firmware 3.3 section 4.1.2): the 36-byte header, 8 reserved bytes, then
/// 16-byte allocation entries (base address 64, segment 16, start bus 8, end bus 8, reserved 32).
/// </summary>
public static unsafe class McfgTable
{
    /// <summary>Offset of the first allocation entry.</summary>
    public const uint FirstEntryOffset = 44;
    /// <summary>Size of one allocation entry.</summary>
    public const uint EntrySize = 16;

    /// <summary>How many allocation entries <paramref name="mcfg"/> holds (its length is already checked by <see cref="AcpiTables"/>).</summary>
    public static uint RegionCount(AcpiTableHeader* mcfg)
    {
        if (mcfg == null || mcfg->Length < FirstEntryOffset) return 0;
        return (mcfg->Length - FirstEntryOffset) / EntrySize;
    }

    /// <summary>Allocation entry <paramref name="index"/> of <paramref name="mcfg"/>; false beyond the table or for an entry with no base or an inverted bus range.</summary>
    public static bool TryGetRegion(AcpiTableHeader* mcfg, uint index, out EcamRegion region)
    {
        region = default;
        if (index >= RegionCount(mcfg)) return false;
        byte* entry = (byte*)mcfg + FirstEntryOffset + index * EntrySize;
        ulong baseAddress = *(ulong*)entry;
        ushort segment = *(ushort*)(entry + 8);
        byte startBus = entry[10];
        byte endBus = entry[11];
        if (baseAddress == 0 || endBus < startBus) return false;
        region = new EcamRegion(baseAddress, segment, startBus, endBus);
        return true;
    }

    /// <summary>
    /// The ECAM region of <paramref name="segment"/> containing bus <paramref name="bus"/> (the first
    /// such entry of the first valid MCFG), found through the UEFI configuration table; false when there is none.
    /// </summary>
    public static bool TryFindRegion(ushort segment, byte bus, out EcamRegion region)
    {
        region = default;
        if (!AcpiTables.TryFindTable(AcpiSignature.Mcfg, 0, out AcpiTableHeader* mcfg)) return false;
        uint count = RegionCount(mcfg);
        for (uint i = 0; i < count; i++)
        {
            if (!TryGetRegion(mcfg, i, out var candidate)) continue;
            if (candidate.Segment == segment && bus >= candidate.StartBus && bus <= candidate.EndBus)
            {
                region = candidate;
                return true;
            }
        }
        return false;
    }
}
