namespace Regs.Runtime.Vfio.Native;

/// <summary>
/// Request numbers and flags from include/uapi/linux/vfio.h. Every VFIO ioctl is
/// _IO(VFIO_TYPE, VFIO_BASE + n) with VFIO_TYPE ';' (0x3B) and VFIO_BASE 100: the size and
/// direction bits are zero, so the number is (0x3B &lt;&lt; 8) | (100 + n).
/// </summary>
internal static class VfioIoctl
{
    private const nuint Type = 0x3B;   // ';'
    private const nuint Base = 100;

    private static nuint Io(nuint n) => (Type << 8) | (Base + n);

    // Container (/dev/vfio/vfio).
    public static readonly nuint GetApiVersion = Io(0);       // returns VFIO_API_VERSION
    public static readonly nuint CheckExtension = Io(1);      // arg: extension id by value
    public static readonly nuint SetIommu = Io(2);            // arg: IOMMU type by value
    // Group (/dev/vfio/N).
    public static readonly nuint GroupGetStatus = Io(3);      // struct vfio_group_status
    public static readonly nuint GroupSetContainer = Io(4);   // arg: pointer to the container fd
    public static readonly nuint GroupUnsetContainer = Io(5);
    public static readonly nuint GroupGetDeviceFd = Io(6);    // arg: the device name (PCI address string)
    // Device.
    public static readonly nuint DeviceGetInfo = Io(7);       // struct vfio_device_info
    public static readonly nuint DeviceGetRegionInfo = Io(8); // struct vfio_region_info
    public static readonly nuint DeviceGetIrqInfo = Io(9);    // struct vfio_irq_info
    public static readonly nuint DeviceSetIrqs = Io(10);      // struct vfio_irq_set + data
    public static readonly nuint DeviceReset = Io(11);
    // Type1 IOMMU (on the container).
    public static readonly nuint IommuGetInfo = Io(12);       // struct vfio_iommu_type1_info + caps
    public static readonly nuint IommuMapDma = Io(13);        // struct vfio_iommu_type1_dma_map
    public static readonly nuint IommuUnmapDma = Io(14);      // struct vfio_iommu_type1_dma_unmap

    public const int ApiVersion = 0;                          // VFIO_API_VERSION
    public const int Type1v2Iommu = 3;                        // VFIO_TYPE1v2_IOMMU

    public const uint GroupFlagsViable = 1 << 0;              // VFIO_GROUP_FLAGS_VIABLE
    public const uint GroupFlagsContainerSet = 1 << 1;        // VFIO_GROUP_FLAGS_CONTAINER_SET

    public const uint DeviceFlagsReset = 1 << 0;              // VFIO_DEVICE_FLAGS_RESET
    public const uint DeviceFlagsPci = 1 << 1;                // VFIO_DEVICE_FLAGS_PCI

    public const uint RegionInfoFlagRead = 1 << 0;            // VFIO_REGION_INFO_FLAG_READ
    public const uint RegionInfoFlagWrite = 1 << 1;           // VFIO_REGION_INFO_FLAG_WRITE
    public const uint RegionInfoFlagMmap = 1 << 2;            // VFIO_REGION_INFO_FLAG_MMAP

    public const uint PciConfigRegionIndex = 7;               // VFIO_PCI_CONFIG_REGION_INDEX
    public const uint PciIntxIrqIndex = 0;                    // VFIO_PCI_INTX_IRQ_INDEX
    public const uint PciMsiIrqIndex = 1;                     // VFIO_PCI_MSI_IRQ_INDEX
    public const uint PciMsixIrqIndex = 2;                    // VFIO_PCI_MSIX_IRQ_INDEX

    public const uint IrqInfoEventfd = 1 << 0;                // VFIO_IRQ_INFO_EVENTFD
    public const uint IrqInfoMaskable = 1 << 1;               // VFIO_IRQ_INFO_MASKABLE
    public const uint IrqInfoAutomasked = 1 << 2;             // VFIO_IRQ_INFO_AUTOMASKED

    public const uint IrqSetDataNone = 1 << 0;                // VFIO_IRQ_SET_DATA_NONE
    public const uint IrqSetDataEventfd = 1 << 2;             // VFIO_IRQ_SET_DATA_EVENTFD
    public const uint IrqSetActionUnmask = 1 << 4;            // VFIO_IRQ_SET_ACTION_UNMASK
    public const uint IrqSetActionTrigger = 1 << 5;           // VFIO_IRQ_SET_ACTION_TRIGGER

    public const uint IommuInfoPgsizes = 1 << 0;              // VFIO_IOMMU_INFO_PGSIZES
    public const uint IommuInfoCaps = 1 << 1;                 // VFIO_IOMMU_INFO_CAPS
    public const ushort IommuType1InfoCapIovaRange = 1;       // VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE

    public const uint DmaMapFlagRead = 1 << 0;                // VFIO_DMA_MAP_FLAG_READ
    public const uint DmaMapFlagWrite = 1 << 1;               // VFIO_DMA_MAP_FLAG_WRITE
}
