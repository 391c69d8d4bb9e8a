using System.Runtime.InteropServices;

namespace Regs.Runtime.Vfio.Native;

// The argument structs of include/uapi/linux/vfio.h, field for field (sizes checked against the
// C headers: see the report of the scratch check). argsz is always the caller's buffer size; the
// kernel raises it in *_GET_INFO replies when a capability chain needs a bigger buffer.

/// <summary>struct vfio_group_status (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioGroupStatus
{
    public uint Argsz;
    public uint Flags;
}

/// <summary>struct vfio_device_info (20 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioDeviceInfo
{
    public uint Argsz;
    public uint Flags;
    public uint NumRegions;
    public uint NumIrqs;
    public uint CapOffset;
}

/// <summary>struct vfio_region_info (32 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioRegionInfo
{
    public uint Argsz;
    public uint Flags;
    public uint Index;
    public uint CapOffset;
    public ulong Size;
    public ulong Offset;
}

/// <summary>struct vfio_irq_info (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioIrqInfo
{
    public uint Argsz;
    public uint Flags;
    public uint Index;
    public uint Count;
}

/// <summary>struct vfio_irq_set without its flexible data[] (20 bytes); eventfds (s32 each) follow it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioIrqSet
{
    public uint Argsz;
    public uint Flags;
    public uint Index;
    public uint Start;
    public uint Count;
}

/// <summary>struct vfio_iommu_type1_info (24 bytes: 4 bytes of tail padding after cap_offset).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioIommuType1Info
{
    public uint Argsz;
    public uint Flags;
    public ulong IovaPgsizes;
    public uint CapOffset;
    private readonly uint _pad;
}

/// <summary>struct vfio_info_cap_header (8 bytes); next is an offset from the start of the info struct.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioInfoCapHeader
{
    public ushort Id;
    public ushort Version;
    public uint Next;
}

/// <summary>struct vfio_iommu_type1_info_cap_iova_range without its ranges (16 bytes); struct vfio_iova_range entries follow.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioIommuType1InfoCapIovaRange
{
    public VfioInfoCapHeader Header;
    public uint NrIovas;
    public uint Reserved;
}

/// <summary>struct vfio_iova_range (16 bytes): inclusive start and end.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioIovaRangeNative
{
    public ulong Start;
    public ulong End;
}

/// <summary>struct vfio_iommu_type1_dma_map (32 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioIommuType1DmaMap
{
    public uint Argsz;
    public uint Flags;
    public ulong Vaddr;
    public ulong Iova;
    public ulong Size;
}

/// <summary>struct vfio_iommu_type1_dma_unmap without its flexible data[] (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct VfioIommuType1DmaUnmap
{
    public uint Argsz;
    public uint Flags;
    public ulong Iova;
    public ulong Size;
}
