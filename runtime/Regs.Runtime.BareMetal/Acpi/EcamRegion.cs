namespace Regs.Runtime.BareMetal.Acpi;

/// <summary>
/// One ECAM region from the MCFG table (PCI Firmware 3.3 section 4.1.2, table 4-3): the
/// configuration space of buses <see cref="StartBus"/>..<see cref="EndBus"/> of one segment.
/// <see cref="BaseAddress"/> is where bus 0 would be, even when the region starts at a later bus.
/// </summary>
public readonly struct EcamRegion
{
    /// <summary>Physical address of bus 0's configuration space in this segment.</summary>
    public readonly ulong BaseAddress;
    /// <summary>PCI segment group.</summary>
    public readonly ushort Segment;
    /// <summary>First bus decoded.</summary>
    public readonly byte StartBus;
    /// <summary>Last bus decoded.</summary>
    public readonly byte EndBus;

    /// <summary>A region of <paramref name="segment"/> decoding buses <paramref name="startBus"/>..<paramref name="endBus"/>.</summary>
    public EcamRegion(ulong baseAddress, ushort segment, byte startBus, byte endBus)
    {
        BaseAddress = baseAddress;
        Segment = segment;
        StartBus = startBus;
        EndBus = endBus;
    }

    /// <summary>True for the empty value (no region).</summary>
    public bool IsEmpty => BaseAddress == 0;
}
