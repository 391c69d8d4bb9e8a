using System;
using System.Runtime.InteropServices;

namespace Regs.VfioGuest;

/// <summary>
/// A minimal VFIO type1 sequence on one device (container, group, SET_IOMMU, MAP_DMA of 2 MiB,
/// GET_DEVICE_FD), to show that VFIO works in this guest (also with iommu=pt). The drivers' real
/// VFIO backend (runtime/Regs.Runtime.Vfio) replaces it in the real scenarios.
/// </summary>
internal static unsafe partial class VfioProbe
{
    private const uint GetApiVersion = 0x3B64, CheckExtension = 0x3B65, SetIommu = 0x3B66, GroupGetStatus = 0x3B67,
        GroupSetContainer = 0x3B68, GroupGetDeviceFd = 0x3B6A, IommuMapDma = 0x3B71, IommuUnmapDma = 0x3B72;
    private const int Type1v2 = 3, ORdwr = 2, ProtRw = 3, MapPrivateAnonymous = 0x22;

    [StructLayout(LayoutKind.Sequential)]
    private struct DmaMap { public uint Argsz, Flags; public ulong Vaddr, Iova, Size; }

    /// <summary>Null when the sequence worked, else what failed (with errno).</summary>
    public static string? Run(string bdf, string group)
    {
        int container = -1, groupFd = -1, device = -1;
        void* buffer = null;
        const ulong size = 2 << 20;
        try
        {
            container = Open("/dev/vfio/vfio");
            if (container < 0) return Fail("open /dev/vfio/vfio");
            if (Ioctl(container, GetApiVersion, 0) != 0) return "VFIO_GET_API_VERSION is not 0";
            if (Ioctl(container, CheckExtension, Type1v2) != 1) return "no VFIO_TYPE1v2_IOMMU";
            groupFd = Open("/dev/vfio/" + group);
            if (groupFd < 0) return Fail($"open /dev/vfio/{group}");
            uint* status = stackalloc uint[2] { 8, 0 };
            if (Ioctl(groupFd, GroupGetStatus, (nint)status) != 0) return Fail("VFIO_GROUP_GET_STATUS");
            if ((status[1] & 1) == 0) return $"group {group} is not viable";
            if (Ioctl(groupFd, GroupSetContainer, (nint)(&container)) != 0) return Fail("VFIO_GROUP_SET_CONTAINER");
            if (Ioctl(container, SetIommu, Type1v2) != 0) return Fail("VFIO_SET_IOMMU");
            buffer = mmap(null, (nuint)size, ProtRw, MapPrivateAnonymous, -1, 0);
            if (buffer == (void*)-1) { buffer = null; return Fail("mmap"); }
            var map = new DmaMap { Argsz = (uint)sizeof(DmaMap), Flags = 3, Vaddr = (ulong)buffer, Iova = 0x1_0000_0000, Size = size };
            if (Ioctl(container, IommuMapDma, (nint)(&map)) != 0) return Fail("VFIO_IOMMU_MAP_DMA");
            byte[] name = System.Text.Encoding.ASCII.GetBytes(bdf + "\0");
            fixed (byte* p = name) device = Ioctl(groupFd, GroupGetDeviceFd, (nint)p);
            if (device < 0) return Fail("VFIO_GROUP_GET_DEVICE_FD");
            var unmap = new DmaMap { Argsz = (uint)sizeof(DmaMap), Iova = 0x1_0000_0000, Size = size };
            if (Ioctl(container, IommuUnmapDma, (nint)(&unmap)) != 0) return Fail("VFIO_IOMMU_UNMAP_DMA");
            return null;
        }
        finally
        {
            if (device >= 0) close(device);
            if (buffer != null) munmap(buffer, (nuint)size);
            if (groupFd >= 0) close(groupFd);
            if (container >= 0) close(container);
        }
    }

    private static string Fail(string what) => $"{what}: errno {Marshal.GetLastPInvokeError()}";

    private static int Open(string path)
    {
        byte[] bytes = System.Text.Encoding.ASCII.GetBytes(path + "\0");
        fixed (byte* p = bytes) return open(p, ORdwr);
    }

    private static int Ioctl(int fd, uint request, nint argument) => ioctl(fd, request, argument);

    // The executable is static: "libc" must be a DirectPInvoke (see the csproj), there is no libc.so to load.
    [LibraryImport("libc", SetLastError = true)] private static partial int open(byte* path, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int close(int fd);
    [LibraryImport("libc", SetLastError = true)] private static partial int ioctl(int fd, nuint request, nint argument);
    [LibraryImport("libc", SetLastError = true)] private static partial void* mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);
    [LibraryImport("libc", SetLastError = true)] private static partial int munmap(void* address, nuint length);
}
