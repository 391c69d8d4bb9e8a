namespace Regs.Runtime.Vfio;

/// <summary>
/// One region of a VFIO device as VFIO_DEVICE_GET_REGION_INFO reports it: where it lies in the
/// device file and what the file allows. For vfio-pci, regions 0-5 are the BARs, 6 the expansion
/// ROM and 7 configuration space; an absent BAR (or the upper half of a 64-bit BAR) has size 0.
/// </summary>
public readonly struct VfioRegion
{
    /// <summary>The region index.</summary>
    public readonly uint Index;
    /// <summary>VFIO_REGION_INFO_FLAG_* bits.</summary>
    public readonly uint Flags;
    /// <summary>Size in bytes; 0 when the region is not implemented.</summary>
    public readonly ulong Size;
    /// <summary>Offset of the region's first byte in the device file (for pread/pwrite and mmap).</summary>
    public readonly ulong Offset;

    /// <summary>A region as the kernel described it.</summary>
    public VfioRegion(uint index, uint flags, ulong size, ulong offset) { Index = index; Flags = flags; Size = size; Offset = offset; }

    /// <summary>The region can be read through the device file.</summary>
    public bool CanRead => (Flags & Native.VfioIoctl.RegionInfoFlagRead) != 0;
    /// <summary>The region can be written through the device file.</summary>
    public bool CanWrite => (Flags & Native.VfioIoctl.RegionInfoFlagWrite) != 0;
    /// <summary>The region (or parts of it) can be mmapped.</summary>
    public bool CanMmap => (Flags & Native.VfioIoctl.RegionInfoFlagMmap) != 0;
    /// <summary>The region exists.</summary>
    public bool Present => Size != 0;
}
