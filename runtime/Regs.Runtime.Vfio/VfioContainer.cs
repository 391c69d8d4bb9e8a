using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using Regs.Runtime.Hosted;
using Regs.Runtime.Vfio.Native;

namespace Regs.Runtime.Vfio;

/// <summary>
/// A VFIO container (/dev/vfio/vfio): one IOMMU address space shared by the groups added to it,
/// the devices opened from them and the DMA memory mapped into it (Documentation/driver-api/vfio.rst,
/// "VFIO Usage Example"). Opens the container, checks the API version and the Type1v2 IOMMU,
/// attaches each device's group on first use and selects the IOMMU after the first group. Hands
/// out DMA memory at IOVAs from one allocator, so devices sharing the container never overlap.
/// Disposing closes the devices, unmaps all DMA memory and closes every group and the container.
/// </summary>
public sealed unsafe class VfioContainer : IDisposable
{
    /// <summary>The lowest IOVA handed out by default: 4 GiB, above the 32-bit MMIO and interrupt windows.</summary>
    public const ulong DefaultIovaStart = 0x1_0000_0000;

    /// <summary>The container device node.</summary>
    public const string ContainerPath = "/dev/vfio/vfio";

    private const nuint HugeAlignment = 2 << 20;
    private readonly object _lock = new();
    private readonly Dictionary<int, int> _groupFds = new();
    private readonly List<VfioDevice> _devices = new();
    private readonly List<DmaMapping> _mappings = new();
    private readonly IovaAllocator _iova;
    private int _fd;

    /// <summary>Opens /dev/vfio/vfio and checks that it speaks VFIO_API_VERSION with a Type1v2 IOMMU.</summary>
    /// <param name="iovaStart">The IOVA the allocator prefers to start at (it falls back to lower windows when the IOMMU is narrower).</param>
    public VfioContainer(ulong iovaStart = DefaultIovaStart)
    {
        _iova = new IovaAllocator(iovaStart);
        _fd = Libc.Open(ContainerPath, Libc.O_RDWR);
        if (_fd < 0) throw OpenContainerFailed(Libc.Errno);
        try
        {
            int version = Libc.Ioctl(_fd, VfioIoctl.GetApiVersion, 0);
            if (version != VfioIoctl.ApiVersion)
                throw new VfioException($"{ContainerPath} reports VFIO API version {version}, this backend speaks {VfioIoctl.ApiVersion}");
            if (Libc.Ioctl(_fd, VfioIoctl.CheckExtension, VfioIoctl.Type1v2Iommu) <= 0)
                throw new VfioException("the VFIO container offers no Type1v2 IOMMU: load vfio_iommu_type1 (modprobe vfio_iommu_type1) and boot with the IOMMU on (intel_iommu=on / amd_iommu=on)");
            if (!HasIommuGroups())
                throw new VfioException("no IOMMU: /sys/kernel/iommu_groups is empty; boot with intel_iommu=on / amd_iommu=on and enable VT-d / AMD-Vi in the firmware (under QEMU: -M q35 -device intel-iommu,intremap=on)");
        }
        catch
        {
            Libc.Close(_fd);
            _fd = -1;
            throw;
        }
    }

    /// <summary>The container's file descriptor (-1 once disposed).</summary>
    public int FileDescriptor => _fd;

    /// <summary>True once the Type1v2 IOMMU is selected (after the first group was added).</summary>
    public bool IommuSet { get; private set; }

    /// <summary>The IOMMU groups attached so far.</summary>
    public IReadOnlyCollection<int> Groups { get { lock (_lock) return new List<int>(_groupFds.Keys); } }

    /// <summary>The devices opened and not yet disposed.</summary>
    public IReadOnlyList<VfioDevice> Devices { get { lock (_lock) return _devices.ToArray(); } }

    /// <summary>File descriptors held: the container, its groups, and each open device's own (device and eventfds).</summary>
    public int OpenFileDescriptors
    {
        get
        {
            lock (_lock)
            {
                int n = (_fd >= 0 ? 1 : 0) + _groupFds.Count;
                foreach (var device in _devices) n += device.OpenFileDescriptors;
                return n;
            }
        }
    }

    /// <summary>Bytes of DMA memory currently mapped into the IOMMU.</summary>
    public ulong MappedDmaBytes { get { lock (_lock) return _iova.Allocated; } }

    /// <summary>The number of DMA mappings currently in the IOMMU.</summary>
    public int DmaMappingCount { get { lock (_lock) return _mappings.Count; } }

    /// <summary>
    /// Opens PCI function <paramref name="address"/> (e.g. "0000:00:03.0"): finds its IOMMU group
    /// from /sys/bus/pci/devices/BDF/iommu_group, attaches the group (it must be viable) and gets
    /// the device's file descriptor with VFIO_GROUP_GET_DEVICE_FD. A function can be open once per container.
    /// </summary>
    public VfioDevice OpenDevice(string address)
    {
        string bdf = PciSysfs.NormalizeAddress(address);
        lock (_lock)
        {
            ThrowIfDisposed();
            if (!PciSysfs.Exists(bdf)) throw PciSysfs.NoSuchDevice(bdf);
            foreach (var open in _devices)   // the kernel would hand out a second fd, sharing interrupts and state
                if (open.Address == bdf) throw new VfioException($"{bdf} is already open in this container; dispose that VfioDevice first or reuse it");
            int group = PciSysfs.IommuGroup(bdf);
            if (group < 0)
                throw new VfioException($"{bdf} has no IOMMU group ({PciSysfs.DevicesRoot}/{bdf}/iommu_group is missing): no IOMMU; boot with intel_iommu=on / amd_iommu=on");
            string? driver = PciSysfs.BoundDriver(bdf);
            if (driver != "vfio-pci")
                throw new VfioException($"{bdf} is {(driver is null ? "not bound to any driver" : $"bound to '{driver}'")}, not vfio-pci: {PciSysfs.BindCommands(bdf, driver is not null)}");
            int groupFd = AttachGroup(group);

            int length = bdf.Length;
            byte* name = stackalloc byte[length + 1];
            for (int i = 0; i < length; i++) name[i] = (byte)bdf[i];
            name[length] = 0;
            int deviceFd = Libc.Ioctl(groupFd, VfioIoctl.GroupGetDeviceFd, (nint)name);
            if (deviceFd < 0)
            {
                int errno = Libc.Errno;
                throw new VfioException(errno == Libc.EBUSY
                    ? $"VFIO_GROUP_GET_DEVICE_FD {bdf}: the device is already open (in this process or another: a VM, another driver); close it first ({Libc.Describe(errno)})"
                    : $"VFIO_GROUP_GET_DEVICE_FD {bdf} in group {group} failed ({Libc.Describe(errno)})", errno);
            }
            NativeResources.FileOpened();
            VfioDevice device;
            try { device = new VfioDevice(this, bdf, group, deviceFd); }
            catch { Libc.Close(deviceFd); throw; }
            _devices.Add(device);
            return device;
        }
    }

    /// <summary>
    /// Attaches IOMMU group <paramref name="group"/> (/dev/vfio/N) to this container: the group must
    /// be viable (every device in it bound to vfio-pci or to no driver). Selects the Type1v2 IOMMU
    /// after the first group. Does nothing when the group is already attached.
    /// </summary>
    public void AddGroup(int group)
    {
        lock (_lock) { ThrowIfDisposed(); AttachGroup(group); }
    }

    /// <summary>
    /// The IOVA windows the IOMMU accepts now (VFIO_IOMMU_GET_INFO, capability
    /// VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE); the whole 64-bit space when the kernel does not say.
    /// Empty until the first group is attached.
    /// </summary>
    public IReadOnlyList<VfioIovaRange> IovaRanges()
    {
        lock (_lock) { ThrowIfDisposed(); return QueryIommu(out _); }
    }

    /// <summary>The page sizes the IOMMU maps (a bitmap: bit n set means 2^n bytes), 0 until the first group is attached.</summary>
    public ulong IovaPageSizes()
    {
        lock (_lock) { ThrowIfDisposed(); QueryIommu(out ulong sizes); return sizes; }
    }

    /// <summary>
    /// Allocates <paramref name="bytes"/> (rounded up to pages) of zeroed anonymous memory, maps it
    /// into the IOMMU for device reads and writes at a fresh IOVA (VFIO_IOMMU_MAP_DMA; VFIO pins
    /// the pages) and returns an arena whose device address is that IOVA. Needs a device (or group)
    /// opened first. Stays mapped until <see cref="UnmapDma"/> or disposal.
    /// </summary>
    public DmaArena MapDma(nuint bytes)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            if (!IommuSet) throw new VfioException("MapDma needs an IOMMU: open a device (or add its group) before mapping DMA memory");
            if (bytes == 0) throw new ArgumentOutOfRangeException(nameof(bytes), "DMA size must be positive");
            var windows = QueryIommu(out ulong pageSizes);
            ulong page = (ulong)Environment.SystemPageSize;
            ulong iommuPage = pageSizes == 0 ? page : pageSizes & ~(pageSizes - 1);
            if (iommuPage > page) page = iommuPage;
            ulong size = ((ulong)bytes + page - 1) & ~(page - 1);
            ulong alignment = page;
            while (alignment < size && alignment < HugeAlignment) alignment <<= 1;
            if (!_iova.TryAllocate(size, alignment, windows, out ulong iova))
                throw new VfioException($"IOVA range too small: the IOMMU accepts only {Describe(windows)} and {_iova.Allocated} bytes are already mapped, so {size} more bytes do not fit; map less DMA memory or use an IOMMU with a wider address width (QEMU: -device intel-iommu,aw-bits=48)");

            byte* cpu = (byte*)Libc.Mmap((nuint)size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_POPULATE, -1, 0);
            if (cpu == null)
            {
                int errno = Libc.Errno;
                _iova.Release(iova);
                throw new VfioException($"cannot allocate {size} bytes of DMA memory ({Libc.Describe(errno)})", errno);
            }
            var map = new VfioIommuType1DmaMap
            {
                Argsz = (uint)sizeof(VfioIommuType1DmaMap),
                Flags = VfioIoctl.DmaMapFlagRead | VfioIoctl.DmaMapFlagWrite,
                Vaddr = (ulong)cpu,
                Iova = iova,
                Size = size,
            };
            if (Libc.Ioctl(_fd, VfioIoctl.IommuMapDma, (nint)(&map)) != 0)
            {
                int errno = Libc.Errno;
                Libc.Munmap(cpu, (nuint)size);
                _iova.Release(iova);
                throw MapDmaFailed(errno, iova, size);
            }
            var arena = new DmaArena(cpu, iova, (nuint)size);
            _mappings.Add(new DmaMapping(arena, cpu, size, iova));
            return arena;
        }
    }

    /// <summary>Removes an arena <see cref="MapDma"/> returned from the IOMMU (VFIO_IOMMU_UNMAP_DMA) and frees its memory. False when it is not one of this container's.</summary>
    public bool UnmapDma(DmaArena arena)
    {
        lock (_lock)
        {
            for (int i = 0; i < _mappings.Count; i++)
            {
                if (!ReferenceEquals(_mappings[i].Arena, arena)) continue;
                var mapping = _mappings[i];
                _mappings.RemoveAt(i);
                Unmap(mapping);
                return true;
            }
            return false;
        }
    }

    /// <summary>Closes every device opened from this container, unmaps all DMA memory, closes the groups and the container.</summary>
    public void Dispose()
    {
        VfioDevice[] devices;
        lock (_lock) devices = _devices.ToArray();
        foreach (var device in devices) device.Dispose();
        lock (_lock)
        {
            foreach (var mapping in _mappings) Unmap(mapping);
            _mappings.Clear();
            foreach (int groupFd in _groupFds.Values) Libc.Close(groupFd);   // closing a group unsets its container
            _groupFds.Clear();
            if (_fd >= 0) Libc.Close(_fd);
            _fd = -1;
            IommuSet = false;
        }
    }

    internal void DeviceClosed(VfioDevice device)
    {
        lock (_lock) _devices.Remove(device);
    }

    private void Unmap(DmaMapping mapping)
    {
        if (_fd >= 0)
        {
            var unmap = new VfioIommuType1DmaUnmap { Argsz = (uint)sizeof(VfioIommuType1DmaUnmap), Iova = mapping.Iova, Size = mapping.Size };
            Libc.Ioctl(_fd, VfioIoctl.IommuUnmapDma, (nint)(&unmap));   // best effort: closing the container unmaps too
        }
        Libc.Munmap(mapping.Cpu, (nuint)mapping.Size);
        _iova.Release(mapping.Iova);
    }

    private int AttachGroup(int group)
    {
        if (_groupFds.TryGetValue(group, out int existing)) return existing;
        string path = $"/dev/vfio/{group}";
        int fd = Libc.Open(path, Libc.O_RDWR);
        if (fd < 0) throw OpenGroupFailed(Libc.Errno, group, path);
        try
        {
            var status = new VfioGroupStatus { Argsz = (uint)sizeof(VfioGroupStatus) };
            if (Libc.Ioctl(fd, VfioIoctl.GroupGetStatus, (nint)(&status)) != 0)
                throw new VfioException($"VFIO_GROUP_GET_STATUS on {path} failed ({Libc.Describe(Libc.Errno)})", Libc.Errno);
            if ((status.Flags & VfioIoctl.GroupFlagsViable) == 0) throw NotViable(group);
            if ((status.Flags & VfioIoctl.GroupFlagsContainerSet) != 0)
                throw new VfioException($"IOMMU group {group} is already attached to another container (another VfioContainer or process holds it)");
            int containerFd = _fd;
            if (Libc.Ioctl(fd, VfioIoctl.GroupSetContainer, (nint)(&containerFd)) != 0)
                throw new VfioException($"VFIO_GROUP_SET_CONTAINER for group {group} failed ({Libc.Describe(Libc.Errno)})", Libc.Errno);
            if (!IommuSet)
            {
                if (Libc.Ioctl(_fd, VfioIoctl.SetIommu, VfioIoctl.Type1v2Iommu) != 0)
                {
                    int errno = Libc.Errno;
                    throw new VfioException(errno == Libc.EPERM
                        ? $"VFIO_SET_IOMMU(Type1v2) refused ({Libc.Describe(errno)}): the IOMMU has no interrupt remapping; enable it (QEMU: -device intel-iommu,intremap=on) or load vfio_iommu_type1 with allow_unsafe_interrupts=1"
                        : $"VFIO_SET_IOMMU(Type1v2) failed ({Libc.Describe(errno)})", errno);
                }
                IommuSet = true;
            }
        }
        catch
        {
            Libc.Close(fd);
            throw;
        }
        _groupFds.Add(group, fd);
        return fd;
    }

    // VFIO_IOMMU_GET_INFO: the fixed part first; when the kernel has a capability chain it raises
    // argsz, and the call is repeated with a buffer that large (vfio.h, "Callers of INFO ioctls").
    private List<VfioIovaRange> QueryIommu(out ulong pageSizes)
    {
        pageSizes = 0;
        var ranges = new List<VfioIovaRange>();
        if (!IommuSet) return ranges;
        var info = new VfioIommuType1Info { Argsz = (uint)sizeof(VfioIommuType1Info) };
        if (Libc.Ioctl(_fd, VfioIoctl.IommuGetInfo, (nint)(&info)) != 0)
            throw new VfioException($"VFIO_IOMMU_GET_INFO failed ({Libc.Describe(Libc.Errno)})", Libc.Errno);
        if ((info.Flags & VfioIoctl.IommuInfoPgsizes) != 0) pageSizes = info.IovaPgsizes;
        if ((info.Flags & VfioIoctl.IommuInfoCaps) != 0 && info.Argsz > sizeof(VfioIommuType1Info) && info.Argsz <= 1 << 20)
        {
            uint size = info.Argsz;
            byte* buffer = (byte*)NativeMemory.AllocZeroed(size);
            try
            {
                var full = (VfioIommuType1Info*)buffer;
                full->Argsz = size;
                if (Libc.Ioctl(_fd, VfioIoctl.IommuGetInfo, (nint)buffer) == 0 && full->CapOffset != 0)
                    ReadIovaRanges(buffer, Math.Min(size, full->Argsz), full->CapOffset, ranges);
            }
            finally { NativeMemory.Free(buffer); }
        }
        if (ranges.Count == 0) ranges.Add(new VfioIovaRange(0, ulong.MaxValue));
        return ranges;
    }

    private static void ReadIovaRanges(byte* buffer, uint size, uint offset, List<VfioIovaRange> ranges)
    {
        for (int hops = 0; hops < 64 && offset != 0 && offset + (uint)sizeof(VfioInfoCapHeader) <= size; hops++)
        {
            var header = (VfioInfoCapHeader*)(buffer + offset);
            if (header->Id == VfioIoctl.IommuType1InfoCapIovaRange && offset + (uint)sizeof(VfioIommuType1InfoCapIovaRange) <= size)
            {
                var cap = (VfioIommuType1InfoCapIovaRange*)header;
                var entries = (VfioIovaRangeNative*)(cap + 1);
                for (uint i = 0; i < cap->NrIovas; i++)
                {
                    if ((byte*)(entries + i + 1) > buffer + size) break;
                    ranges.Add(new VfioIovaRange(entries[i].Start, entries[i].End));
                }
                ranges.Sort((a, b) => a.Start.CompareTo(b.Start));
                return;
            }
            offset = header->Next;
        }
    }

    private static string Describe(IReadOnlyList<VfioIovaRange> windows)
    {
        var parts = new List<string>();
        foreach (var window in windows) parts.Add(window.ToString());
        return string.Join(", ", parts);
    }

    private static bool HasIommuGroups()
    {
        try { return Directory.Exists("/sys/kernel/iommu_groups") && Directory.GetFileSystemEntries("/sys/kernel/iommu_groups").Length > 0; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    private static VfioException OpenContainerFailed(int errno)
    {
        if (errno == Libc.EACCES || errno == Libc.EPERM)
            return new VfioException($"permission denied opening {ContainerPath} (running as uid {Libc.Geteuid()}): run as root, or give this user the VFIO nodes (chown the user /dev/vfio/vfio /dev/vfio/N) and raise its locked-memory limit (ulimit -l) for DMA pinning", errno);
        if (errno == Libc.ENOENT || errno == Libc.ENODEV)
        {
            string iommu = HasIommuGroups() ? "" : "no IOMMU: boot with intel_iommu=on / amd_iommu=on (under QEMU: -M q35 -device intel-iommu,intremap=on); ";
            string module = Directory.Exists("/sys/module/vfio")
                ? $"the vfio module is loaded but {ContainerPath} is missing: mount devtmpfs on /dev or mknod {ContainerPath} c 10 196"
                : "VFIO is not loaded: modprobe vfio-pci (without modprobe: insmod vfio, vfio_iommu_type1, vfio_virqfd, irqbypass, vfio-pci-core, vfio-pci in that order)";
            return new VfioException($"cannot open {ContainerPath} ({Libc.Describe(errno)}): {iommu}{module}", errno);
        }
        return new VfioException($"cannot open {ContainerPath} ({Libc.Describe(errno)})", errno);
    }

    private static VfioException OpenGroupFailed(int errno, int group, string path)
    {
        if (errno == Libc.EACCES || errno == Libc.EPERM)
            return new VfioException($"permission denied opening {path} (running as uid {Libc.Geteuid()}): run as root or chown the user {path}", errno);
        if (errno == Libc.EBUSY)
            return new VfioException($"{path} is busy: IOMMU group {group} is already open in another process (a VM, another driver) or another container", errno);
        if (errno == Libc.ENOENT)
            return new VfioException($"{path} does not exist: no device of IOMMU group {group} is bound to vfio-pci", errno);
        return new VfioException($"cannot open {path} ({Libc.Describe(errno)})", errno);
    }

    private static VfioException NotViable(int group)
    {
        var blocking = new List<string>();
        var commands = new List<string>();
        foreach (string member in PciSysfs.GroupDevices(group))
        {
            string? driver = PciSysfs.BoundDriver(member);
            if (driver is null || driver == "vfio-pci" || driver == "pci-stub" || driver == "pcieport") continue;
            blocking.Add($"{member} ({driver})");
            commands.Add(PciSysfs.BindCommands(member, true));
        }
        string detail = blocking.Count == 0
            ? "no member is bound to another driver now; retry after the kernel settles"
            : $"still bound to kernel drivers: {string.Join(", ", blocking)}; bind them to vfio-pci too ({string.Join("; ", commands)}) or unbind them";
        return new VfioException($"IOMMU group {group} is not viable: every device in /sys/kernel/iommu_groups/{group}/devices must be bound to vfio-pci or to no driver; {detail}");
    }

    private static VfioException MapDmaFailed(int errno, ulong iova, ulong size)
    {
        string what = $"VFIO_IOMMU_MAP_DMA of {size} bytes at IOVA 0x{iova:x} failed ({Libc.Describe(errno)})";
        string hint = errno switch
        {
            Libc.ENOMEM or Libc.EPERM => $": pinning exceeds the locked-memory limit (running as uid {Libc.Geteuid()}); run as root or raise ulimit -l",
            Libc.EEXIST => ": the IOVA overlaps an existing mapping (another container user mapped it)",
            Libc.ENOSPC => ": too many DMA mappings (vfio_iommu_type1 dma_entry_limit); map fewer, larger blocks",
            Libc.EINVAL or Libc.EFAULT => ": the IOVA is outside what the IOMMU can address; map less or widen the IOMMU (QEMU: -device intel-iommu,aw-bits=48)",
            _ => "",
        };
        return new VfioException(what + hint, errno);
    }

    private void ThrowIfDisposed()
    {
        if (_fd < 0) throw new ObjectDisposedException(nameof(VfioContainer));
    }

    private sealed class DmaMapping
    {
        public DmaMapping(DmaArena arena, byte* cpu, ulong size, ulong iova) { Arena = arena; Cpu = cpu; Size = size; Iova = iova; }
        public DmaArena Arena { get; }
        public byte* Cpu { get; }
        public ulong Size { get; }
        public ulong Iova { get; }
    }
}
