using System;
using System.Collections.Generic;
using Regs.Runtime.Hosted;
using Regs.Runtime.Pci;
using Regs.Runtime.Vfio.Native;

namespace Regs.Runtime.Vfio;

/// <summary>
/// A PCI function owned through vfio-pci (Documentation/driver-api/vfio.rst): its regions (BARs 0-5
/// mmapped, or reached by pread/pwrite when a BAR cannot be mmapped; configuration space, region 7,
/// by pread/pwrite) and its interrupts, each vector signalling an eventfd. Open one with
/// <see cref="VfioContainer.OpenDevice"/>. Disposing disables interrupts, unmaps the BARs and the
/// memory <see cref="CreateHost"/> set up, and closes every file descriptor it opened.
/// </summary>
public sealed unsafe class VfioDevice : IDisposable
{
    /// <summary>Private (driver bookkeeping) memory <see cref="CreateHost"/> reserves by default: 1 MiB.</summary>
    public const nuint DefaultPrivateBytes = 1 << 20;

    private const int BarCount = 6;
    private readonly object _lock = new();
    private readonly VfioContainer _container;
    private readonly VfioRegion[] _regions;
    private readonly byte*[] _barPointers = new byte*[BarCount];
    private readonly nuint[] _barLengths = new nuint[BarCount];
    private readonly List<DmaArena> _dma = new();
    private readonly List<(nint Address, nuint Length)> _private = new();
    private int[] _eventfds = Array.Empty<int>();
    private int _fd;

    internal VfioDevice(VfioContainer container, string address, int group, int fd)
    {
        _container = container;
        Address = address;
        IommuGroup = group;
        _fd = fd;
        var info = new VfioDeviceInfo { Argsz = (uint)sizeof(VfioDeviceInfo) };
        if (Libc.Ioctl(fd, VfioIoctl.DeviceGetInfo, (nint)(&info)) != 0)
            throw new VfioException($"VFIO_DEVICE_GET_INFO on {address} failed ({Libc.Describe(Libc.Errno)})", Libc.Errno);
        if ((info.Flags & VfioIoctl.DeviceFlagsPci) == 0)
            throw new VfioException($"{address} is not a vfio-pci device (VFIO_DEVICE_GET_INFO flags 0x{info.Flags:x})");
        Flags = info.Flags;
        IrqCount = info.NumIrqs;
        _regions = new VfioRegion[info.NumRegions];
        for (uint i = 0; i < info.NumRegions; i++) _regions[i] = QueryRegion(i);
        if (info.NumRegions <= VfioIoctl.PciConfigRegionIndex || !_regions[VfioIoctl.PciConfigRegionIndex].Present)
            throw new VfioException($"{address} reports no configuration space region (VFIO_PCI_CONFIG_REGION_INDEX)");
    }

    /// <summary>The PCI address, e.g. "0000:00:03.0".</summary>
    public string Address { get; }

    /// <summary>The IOMMU group the device belongs to (/dev/vfio/N).</summary>
    public int IommuGroup { get; }

    /// <summary>The container whose IOMMU translates this device's DMA.</summary>
    public VfioContainer Container => _container;

    /// <summary>The device file descriptor (-1 once disposed).</summary>
    public int FileDescriptor => _fd;

    /// <summary>VFIO_DEVICE_FLAGS_* from VFIO_DEVICE_GET_INFO.</summary>
    public uint Flags { get; }

    /// <summary>True when the device can be reset with VFIO_DEVICE_RESET.</summary>
    public bool SupportsReset => (Flags & VfioIoctl.DeviceFlagsReset) != 0;

    /// <summary>The number of regions (for vfio-pci at least 9: BARs 0-5, ROM, config, VGA).</summary>
    public int RegionCount => _regions.Length;

    /// <summary>The number of IRQ indexes (INTx, MSI, MSI-X, error, request).</summary>
    public uint IrqCount { get; }

    /// <summary>The interrupt mode enabled now.</summary>
    public VfioInterruptMode InterruptMode { get; private set; }

    /// <summary>The number of vectors enabled now (0 when <see cref="InterruptMode"/> is None).</summary>
    public int InterruptVectors => _eventfds.Length;

    /// <summary>
    /// The interrupt eventfds, one per enabled vector (empty without interrupts), for a caller that
    /// sleeps in its own poll() on them with other descriptors (after the driver's ArmInterrupt;
    /// the driver's AcknowledgeInterrupt then reads them). Read-only: never read, write or close
    /// them; they are replaced when interrupts are enabled again and closed when disabled.
    /// </summary>
    public ReadOnlySpan<int> InterruptFileDescriptors => _eventfds;

    /// <summary>File descriptors this device holds: the device itself and one eventfd per enabled vector.</summary>
    public int OpenFileDescriptors { get { lock (_lock) return (_fd >= 0 ? 1 : 0) + _eventfds.Length; } }

    /// <summary>Region <paramref name="index"/> as VFIO_DEVICE_GET_REGION_INFO reported it (0-5 BARs, 6 ROM, 7 config).</summary>
    public VfioRegion Region(uint index)
    {
        if (index >= _regions.Length) throw new ArgumentOutOfRangeException(nameof(index), $"{Address} has {_regions.Length} regions");
        return _regions[index];
    }

    /// <summary>Configuration space: pread/pwrite on region 7 (vfio-pci virtualises parts of it).</summary>
    public UserspaceAccess ConfigSpace()
    {
        ThrowIfDisposed();
        return UserspaceAccess.File(_fd, (long)_regions[VfioIoctl.PciConfigRegionIndex].Offset);
    }

    /// <summary>
    /// Memory BAR <paramref name="index"/>: mmapped when the region allows it, else reached by
    /// pread/pwrite (a BAR holding the MSI-X table may refuse mmap). False for an absent BAR, the
    /// upper half of a 64-bit BAR, an I/O BAR or an index beyond 5. The mapping lives until disposal.
    /// <paramref name="length"/> is the region size VFIO_DEVICE_GET_REGION_INFO reports (the BAR's size).
    /// </summary>
    public bool TryMapBar(uint index, out UserspaceAccess registers, out ulong length)
    {
        registers = default;
        length = 0;
        lock (_lock)
        {
            ThrowIfDisposed();
            if (index >= BarCount || index >= _regions.Length || !_regions[index].Present) return false;
            if ((ConfigSpace().Read32(0x10 + 4 * index) & 1) != 0) return false;   // I/O space BAR (PCI 3.0 6.2.5.1)
            var region = _regions[index];
            length = region.Size;
            if (_barPointers[index] != null) { registers = UserspaceAccess.Mapped(_barPointers[index]); return true; }
            if (region.CanMmap)
            {
                nuint page = (nuint)Environment.SystemPageSize;
                nuint mapped = ((nuint)region.Size + page - 1) & ~(page - 1);
                int protection = (region.CanRead ? Libc.PROT_READ : 0) | (region.CanWrite ? Libc.PROT_WRITE : 0);
                byte* p = (byte*)Libc.Mmap(mapped, protection, Libc.MAP_SHARED, _fd, (long)region.Offset);
                if (p != null)
                {
                    _barPointers[index] = p;
                    _barLengths[index] = mapped;
                    registers = UserspaceAccess.Mapped(p);
                    return true;
                }
            }
            registers = UserspaceAccess.File(_fd, (long)region.Offset);
            return true;
        }
    }

    /// <summary>
    /// BAR <paramref name="index"/> through pread/pwrite only (never mmapped): works for any BAR
    /// vfio-pci exposes, I/O BARs included. The default value when the BAR is absent.
    /// </summary>
    public UserspaceAccess BarThroughFile(uint index)
    {
        ThrowIfDisposed();
        if (index >= BarCount || index >= _regions.Length || !_regions[index].Present) return default;
        return UserspaceAccess.File(_fd, (long)_regions[index].Offset);
    }

    /// <summary>True when BAR <paramref name="index"/> was mapped by <see cref="TryMapBar"/> (false: absent, not yet mapped, or reached by pread/pwrite).</summary>
    public bool IsBarMmapped(uint index) { lock (_lock) return index < BarCount && _barPointers[index] != null; }


    /// <summary>Resets the function with VFIO_DEVICE_RESET (FLR or another method the kernel picked); false when unsupported or refused.</summary>
    public bool TryReset()
    {
        ThrowIfDisposed();
        return SupportsReset && Libc.Ioctl(_fd, VfioIoctl.DeviceReset, 0) == 0;
    }

    /// <summary>How many vectors the device offers in <paramref name="mode"/> (VFIO_DEVICE_GET_IRQ_INFO count; 0 when unsupported).</summary>
    public uint AvailableVectors(VfioInterruptMode mode)
    {
        ThrowIfDisposed();
        if (mode == VfioInterruptMode.None) return 0;
        var info = QueryIrq(IrqIndex(mode));
        return (info.Flags & VfioIoctl.IrqInfoEventfd) != 0 ? info.Count : 0;
    }

    /// <summary>Enables the INTx line with one eventfd.</summary>
    public void EnableIntx() => EnableInterrupts(VfioInterruptMode.Intx, 1);

    /// <summary>Enables MSI-X vectors 0..<paramref name="vectors"/>-1, one eventfd each; vfio-pci programs the MSI-X table, the driver only assigns its causes to vectors.</summary>
    public void EnableMsix(int vectors) => EnableInterrupts(VfioInterruptMode.Msix, vectors);

    /// <summary>
    /// Routes the device's interrupts in <paramref name="mode"/> to eventfds
    /// (VFIO_DEVICE_SET_IRQS, ACTION_TRIGGER | DATA_EVENTFD), replacing any mode enabled before.
    /// None disables interrupts.
    /// </summary>
    public void EnableInterrupts(VfioInterruptMode mode, int vectors = 1)
    {
        lock (_lock)
        {
            ThrowIfDisposed();
            DisableInterruptsLocked();
            if (mode == VfioInterruptMode.None) return;
            uint index = IrqIndex(mode);
            var info = QueryIrq(index);
            if (info.Count == 0 || (info.Flags & VfioIoctl.IrqInfoEventfd) == 0)
                throw new VfioException($"{Address} has no {mode} interrupts (VFIO_DEVICE_GET_IRQ_INFO index {index} reports {info.Count} vectors{(mode == VfioInterruptMode.Intx ? ": no interrupt pin" : "")})");
            if (vectors < 1 || (uint)vectors > info.Count || (mode == VfioInterruptMode.Intx && vectors != 1))
                throw new ArgumentOutOfRangeException(nameof(vectors), $"{Address} offers {info.Count} {mode} vectors; asked for {vectors}");
            var fds = new int[vectors];
            int made = 0;
            try
            {
                for (; made < vectors; made++)
                {
                    fds[made] = Libc.Eventfd();
                    if (fds[made] < 0) throw new VfioException($"eventfd failed ({Libc.Describe(Libc.Errno)})", Libc.Errno);
                }
                SetIrqs(index, VfioIoctl.IrqSetDataEventfd | VfioIoctl.IrqSetActionTrigger, fds);
            }
            catch
            {
                for (int i = 0; i < made; i++) Libc.Close(fds[i]);
                throw;
            }
            _eventfds = fds;
            InterruptMode = mode;
        }
    }

    /// <summary>Disables interrupts (VFIO_DEVICE_SET_IRQS, DATA_NONE | ACTION_TRIGGER, count 0) and closes their eventfds.</summary>
    public void DisableInterrupts()
    {
        lock (_lock) { if (_fd >= 0) DisableInterruptsLocked(); }
    }

    /// <summary>
    /// Waits until vector <paramref name="vector"/> (-1: any enabled vector) fires or
    /// <paramref name="timeoutMicroseconds"/> pass; true if it fired, consuming the eventfd count.
    /// For INTx the line is unmasked first (VFIO masks it after each interrupt until
    /// ACTION_UNMASK). Without interrupts enabled it waits out the timeout and returns false.
    /// </summary>
    public bool WaitForInterrupt(int vector, uint timeoutMicroseconds)
    {
        int[] fds = _eventfds;
        if (fds.Length == 0 || _fd < 0)
        {
            MonotonicClock.Delay(timeoutMicroseconds);
            return false;
        }
        if (vector < -1 || vector >= fds.Length)
            throw new ArgumentOutOfRangeException(nameof(vector), $"{fds.Length} {InterruptMode} vectors are enabled on {Address}");
        if (InterruptMode == VfioInterruptMode.Intx) UnmaskIntx();

        int first = vector < 0 ? 0 : vector;
        int count = vector < 0 ? fds.Length : 1;
        var polls = stackalloc Libc.PollFd[count];
        ulong deadline = MonotonicClock.NowMicroseconds() + timeoutMicroseconds;
        while (true)
        {
            if (Drain(fds, first, count)) return true;
            ulong now = MonotonicClock.NowMicroseconds();
            if (now >= deadline) return false;
            ulong milliseconds = (deadline - now + 999) / 1000;
            for (int i = 0; i < count; i++) polls[i] = new Libc.PollFd { Fd = fds[first + i], Events = Libc.POLLIN };
            int ready = Libc.Poll(polls, (nuint)count, milliseconds > int.MaxValue ? int.MaxValue : (int)milliseconds);
            if (ready < 0 && Libc.Errno != Libc.EINTR)
                throw new VfioException($"poll on the interrupt eventfds of {Address} failed ({Libc.Describe(Libc.Errno)}): were interrupts disabled while waiting?", Libc.Errno);
        }
    }

    /// <summary>
    /// A driver host for this device: <paramref name="dmaBytes"/> of IOMMU-mapped DMA memory from the
    /// container, <paramref name="privateBytes"/> of private memory, and interrupts in
    /// <paramref name="interrupts"/> mode with <paramref name="vectors"/> vectors (enabled here unless None).
    /// The memory is released when this device is disposed.
    /// </summary>
    public VfioHost CreateHost(string name, nuint dmaBytes, VfioInterruptMode interrupts = VfioInterruptMode.None, int vectors = 1, nuint privateBytes = DefaultPrivateBytes)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (interrupts != VfioInterruptMode.None) EnableInterrupts(interrupts, vectors);
        var dma = _container.MapDma(dmaBytes);
        lock (_lock) _dma.Add(dma);
        nuint page = (nuint)Environment.SystemPageSize;
        nuint length = (privateBytes + page - 1) & ~(page - 1);
        if (length == 0) length = page;
        byte* p = (byte*)Libc.Mmap(length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
        if (p == null) throw new VfioException($"cannot allocate {length} bytes of private memory ({Libc.Describe(Libc.Errno)})", Libc.Errno);
        lock (_lock) _private.Add(((nint)p, length));
        return new VfioHost(this, dma, new DmaArena(p, (ulong)p, length), name);
    }

    /// <summary>Disables interrupts, unmaps the BARs, releases the memory <see cref="CreateHost"/> set up and closes the device.</summary>
    public void Dispose()
    {
        List<DmaArena> dma;
        lock (_lock)
        {
            if (_fd < 0) return;
            try { DisableInterruptsLocked(); }
            catch (VfioException) { CloseEventfds(); }
            for (int i = 0; i < BarCount; i++)
            {
                Libc.Munmap(_barPointers[i], _barLengths[i]);
                _barPointers[i] = null;
                _barLengths[i] = 0;
            }
            foreach (var (address, length) in _private) Libc.Munmap((void*)address, length);
            _private.Clear();
            dma = new List<DmaArena>(_dma);
            _dma.Clear();
            Libc.Close(_fd);
            _fd = -1;
        }
        foreach (var arena in dma) _container.UnmapDma(arena);
        _container.DeviceClosed(this);
    }

    private void DisableInterruptsLocked()
    {
        if (InterruptMode == VfioInterruptMode.None) return;
        uint index = IrqIndex(InterruptMode);
        try { SetIrqs(index, VfioIoctl.IrqSetDataNone | VfioIoctl.IrqSetActionTrigger, Array.Empty<int>()); }
        finally { CloseEventfds(); }
    }

    private void CloseEventfds()
    {
        foreach (int fd in _eventfds) Libc.Close(fd);
        _eventfds = Array.Empty<int>();
        InterruptMode = VfioInterruptMode.None;
    }

    // VFIO_DEVICE_SET_IRQS: struct vfio_irq_set followed by count s32 eventfds (none for DATA_NONE).
    private void SetIrqs(uint index, uint flags, int[] fds)
    {
        int bytes = sizeof(VfioIrqSet) + fds.Length * sizeof(int);
        byte[] buffer = new byte[bytes];
        fixed (byte* b = buffer)
        {
            var set = (VfioIrqSet*)b;
            set->Argsz = (uint)bytes;
            set->Flags = flags;
            set->Index = index;
            set->Start = 0;
            set->Count = (uint)fds.Length;
            for (int i = 0; i < fds.Length; i++) ((int*)(set + 1))[i] = fds[i];
            if (Libc.Ioctl(_fd, VfioIoctl.DeviceSetIrqs, (nint)b) != 0)
            {
                int errno = Libc.Errno;
                throw new VfioException($"VFIO_DEVICE_SET_IRQS on {Address} (index {index}, {fds.Length} vectors, flags 0x{flags:x}) failed ({Libc.Describe(errno)})"
                    + (errno == Libc.EINVAL && fds.Length > 0 ? ": the kernel could not allocate the vectors (is interrupt remapping on? another mode still enabled?)" : ""), errno);
            }
        }
    }

    // INTx is auto-masked after each interrupt (VFIO_IRQ_INFO_AUTOMASKED); unmask with
    // ACTION_UNMASK | DATA_NONE, index 0, start 0, count 1.
    private void UnmaskIntx()
    {
        var set = new VfioIrqSet
        {
            Argsz = (uint)sizeof(VfioIrqSet),
            Flags = VfioIoctl.IrqSetDataNone | VfioIoctl.IrqSetActionUnmask,
            Index = VfioIoctl.PciIntxIrqIndex,
            Start = 0,
            Count = 1,
        };
        if (Libc.Ioctl(_fd, VfioIoctl.DeviceSetIrqs, (nint)(&set)) != 0)
            throw new VfioException($"unmasking INTx on {Address} failed ({Libc.Describe(Libc.Errno)})", Libc.Errno);
    }

    // Reads (and so resets) the 8-byte eventfd counters; the fds are non-blocking.
    private static bool Drain(int[] fds, int first, int count)
    {
        bool fired = false;
        for (int i = first; i < first + count; i++)
        {
            ulong counter = 0;
            if (Libc.Read(fds[i], &counter, 8) == 8 && counter != 0) fired = true;
        }
        return fired;
    }

    private VfioRegion QueryRegion(uint index)
    {
        var info = new VfioRegionInfo { Argsz = (uint)sizeof(VfioRegionInfo), Index = index };
        if (Libc.Ioctl(_fd, VfioIoctl.DeviceGetRegionInfo, (nint)(&info)) != 0)
            return new VfioRegion(index, 0, 0, 0);   // unimplemented region
        return new VfioRegion(index, info.Flags, info.Size, info.Offset);
    }

    private VfioIrqInfo QueryIrq(uint index)
    {
        var info = new VfioIrqInfo { Argsz = (uint)sizeof(VfioIrqInfo), Index = index };
        if (index >= IrqCount || Libc.Ioctl(_fd, VfioIoctl.DeviceGetIrqInfo, (nint)(&info)) != 0) return default;
        return info;
    }

    private static uint IrqIndex(VfioInterruptMode mode) => mode switch
    {
        VfioInterruptMode.Intx => VfioIoctl.PciIntxIrqIndex,
        VfioInterruptMode.Msi => VfioIoctl.PciMsiIrqIndex,
        VfioInterruptMode.Msix => VfioIoctl.PciMsixIrqIndex,
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    private void ThrowIfDisposed()
    {
        if (_fd < 0) throw new ObjectDisposedException(nameof(VfioDevice), $"VFIO device {Address} is closed");
    }
}
