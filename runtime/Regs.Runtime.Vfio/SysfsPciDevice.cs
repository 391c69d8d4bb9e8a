using System;
using System.Collections.Generic;
using System.IO;
using Regs.Runtime.Hosted;
using Regs.Runtime.Pci;
using Regs.Runtime.Vfio.Native;

namespace Regs.Runtime.Vfio;

/// <summary>
/// A PCI function reached the raw-pointer way (what ixy does, no VFIO): BARs by mmapping
/// /sys/bus/pci/devices/BDF/resourceN (O_RDWR | O_SYNC), configuration space by pread/pwrite on
/// .../config (Documentation/PCI/sysfs-pci.rst). The kernel driver, if any, is unbound first.
/// Needs root. The device then DMAs to physical addresses (<see cref="HugepageDma"/>), which only
/// works when the IOMMU passes them through (iommu=pt) or there is none: with a translating IOMMU
/// every DMA faults (DMAR fault in the kernel log). No interrupts on this route.
/// Nothing cleans up after a process on this route that dies: its device keeps its rings and bus
/// mastering and goes on writing received frames into the dead process's hugepages (the VFIO guest
/// test sees it). Opening therefore switches bus mastering off first, so the device cannot write
/// into memory this process allocates before its driver has reset the device.
/// </summary>
public sealed unsafe class SysfsPciDevice : IDisposable
{
    private const int BarCount = 6;
    private readonly object _lock = new();
    private readonly string _path;
    private readonly byte*[] _barPointers = new byte*[BarCount];
    private readonly nuint[] _barLengths = new nuint[BarCount];
    private readonly List<(nint Address, nuint Length)> _private = new();
    private int _configFd;

    /// <summary>
    /// Opens function <paramref name="address"/>; with <paramref name="unbindDriver"/> (the default)
    /// the kernel driver bound to it is unbound first, so it does not fight this process for the device.
    /// </summary>
    public SysfsPciDevice(string address, bool unbindDriver = true)
    {
        Address = PciSysfs.NormalizeAddress(address);
        _path = PciSysfs.DevicePath(Address);
        if (!Directory.Exists(_path)) throw PciSysfs.NoSuchDevice(Address);
        if (unbindDriver) UnboundDriver = PciSysfs.Unbind(Address);
        string config = _path + "/config";
        _configFd = Libc.Open(config, Libc.O_RDWR);
        if (_configFd < 0)
        {
            int errno = Libc.Errno;
            throw new VfioException(errno == Libc.EACCES || errno == Libc.EPERM
                ? $"permission denied opening {config} (running as uid {Libc.Geteuid()}): the raw PCI route needs root"
                : $"cannot open {config} ({Libc.Describe(errno)})", errno);
        }
        PciFunction.EnableMemory(ConfigSpace(), busMaster: false);   // no DMA from what a previous owner left running
    }

    /// <summary>The PCI address, e.g. "0000:00:03.0".</summary>
    public string Address { get; }

    /// <summary>The driver that was bound before and got unbound (null when none was, or unbinding was not asked for).</summary>
    public string? UnboundDriver { get; }

    /// <summary>File descriptors held: the config file (BAR files are closed once mapped).</summary>
    public int OpenFileDescriptors { get { lock (_lock) return _configFd >= 0 ? 1 : 0; } }

    /// <summary>Configuration space through pread/pwrite on the sysfs config file.</summary>
    public UserspaceAccess ConfigSpace()
    {
        ThrowIfDisposed();
        return UserspaceAccess.File(_configFd, 0);
    }

    /// <summary>
    /// Memory BAR <paramref name="index"/> mmapped from resourceN. False for an absent BAR, the
    /// upper half of a 64-bit BAR (no resourceN file), an I/O BAR or an index beyond 5.
    /// <paramref name="length"/> is the size of resourceN (the BAR's size, as the kernel sized it).
    /// </summary>
    public bool TryMapBar(uint index, out UserspaceAccess registers, out ulong length)
    {
        registers = default;
        length = 0;
        lock (_lock)
        {
            ThrowIfDisposed();
            if (index >= BarCount) return false;
            string file = $"{_path}/resource{index}";
            if (!File.Exists(file)) return false;
            if (_barPointers[index] != null) { length = (ulong)new FileInfo(file).Length; registers = UserspaceAccess.Mapped(_barPointers[index]); return true; }
            if ((ConfigSpace().Read32(0x10 + 4 * index) & 1) != 0) return false;   // I/O space BAR (PCI 3.0 6.2.5.1)
            long size = new FileInfo(file).Length;
            if (size <= 0) return false;
            length = (ulong)size;
            nuint page = (nuint)Environment.SystemPageSize;
            nuint mapped = ((nuint)size + page - 1) & ~(page - 1);
            int fd = Libc.Open(file, Libc.O_RDWR | Libc.O_SYNC);
            if (fd < 0) throw new VfioException($"cannot open {file} ({Libc.Describe(Libc.Errno)}): the raw PCI route needs root", Libc.Errno);
            byte* p = (byte*)Libc.Mmap(mapped, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, 0);
            int errno = Libc.Errno;
            Libc.Close(fd);   // the mapping outlives the descriptor
            if (p == null) throw new VfioException($"cannot mmap {file} ({Libc.Describe(errno)}): with kernel lockdown or CONFIG_IO_STRICT_DEVMEM this route is closed; use VFIO", errno);
            _barPointers[index] = p;
            _barLengths[index] = mapped;
            registers = UserspaceAccess.Mapped(p);
            return true;
        }
    }

    /// <summary>
    /// A driver host for this device with DMA memory from <paramref name="dma"/> (physical
    /// addresses) and <paramref name="privateBytes"/> of private memory, released on disposal.
    /// </summary>
    public RawPciHost CreateHost(string name, HugepageDma dma, nuint privateBytes = VfioDevice.DefaultPrivateBytes)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(dma);
        nuint page = (nuint)Environment.SystemPageSize;
        nuint length = (privateBytes + page - 1) & ~(page - 1);
        if (length == 0) length = page;
        lock (_lock)
        {
            ThrowIfDisposed();
            byte* p = (byte*)Libc.Mmap(length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
            if (p == null) throw new VfioException($"cannot allocate {length} bytes of private memory ({Libc.Describe(Libc.Errno)})", Libc.Errno);
            _private.Add(((nint)p, length));
            return new RawPciHost(this, dma, new DmaArena(p, (ulong)p, length), name);
        }
    }

    /// <summary>Unmaps the BARs and the private memory and closes the config file. The kernel driver is not rebound.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_configFd < 0) return;
            for (int i = 0; i < BarCount; i++)
            {
                Libc.Munmap(_barPointers[i], _barLengths[i]);
                _barPointers[i] = null;
                _barLengths[i] = 0;
            }
            foreach (var (address, length) in _private) Libc.Munmap((void*)address, length);
            _private.Clear();
            Libc.Close(_configFd);
            _configFd = -1;
        }
    }

    private void ThrowIfDisposed()
    {
        if (_configFd < 0) throw new ObjectDisposedException(nameof(SysfsPciDevice), $"PCI device {Address} is closed");
    }
}
