namespace Regs.Runtime.Vfio;

/// <summary>
/// A window of I/O virtual addresses the container's IOMMU accepts for DMA mappings (vfio.h
/// VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE: reserved regions such as the MSI window are left out).
/// </summary>
public readonly struct VfioIovaRange
{
    /// <summary>The first usable IOVA.</summary>
    public readonly ulong Start;
    /// <summary>The last usable IOVA (inclusive).</summary>
    public readonly ulong End;

    /// <summary>The window [<paramref name="start"/>, <paramref name="end"/>], both inclusive.</summary>
    public VfioIovaRange(ulong start, ulong end) { Start = start; End = end; }

    /// <inheritdoc/>
    public override string ToString() => $"0x{Start:x}-0x{End:x}";
}
