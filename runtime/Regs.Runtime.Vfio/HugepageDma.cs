using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using Regs.Runtime.Hosted;
using Regs.Runtime.Vfio.Native;

namespace Regs.Runtime.Vfio;

/// <summary>
/// DMA memory for the raw-pointer route (no IOMMU translation: boot with iommu=pt, or no IOMMU):
/// 2 MiB hugepages, either anonymous (MAP_HUGETLB) or from a file on a hugetlbfs mount, whose
/// physical addresses come from /proc/self/pagemap (Documentation/admin-guide/mm/pagemap.rst:
/// bit 63 present, bits 0-54 the page frame number; root only, others read 0). A hugepage is
/// physically contiguous but neighbouring hugepages usually are not, so each run of physically
/// adjacent pages gets its own <see cref="DmaArena"/> and no allocation crosses a run's end.
/// Hugepages must be reserved first: echo N &gt; /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages.
/// </summary>
public sealed unsafe class HugepageDma : IDisposable
{
    /// <summary>The hugepage size used: 2 MiB.</summary>
    public const nuint PageSize = 2 << 20;

    /// <summary>The file the physical addresses are read from.</summary>
    public const string PagemapPath = "/proc/self/pagemap";

    private const string HugepagesDir = "/sys/kernel/mm/hugepages/hugepages-2048kB";
    private static int _fileCounter;
    private readonly object _lock = new();
    private readonly DmaArena[] _arenas;
    private byte* _base;
    private readonly nuint _length;
    private int _current;

    /// <summary>
    /// Reserves <paramref name="bytes"/> (rounded up to 2 MiB pages) of hugepage memory, anonymous
    /// or, with <paramref name="hugetlbfsMount"/>, backed by a file there (removed at once).
    /// Throws when no hugepages are free or the physical addresses are hidden (not root).
    /// </summary>
    public HugepageDma(nuint bytes, string? hugetlbfsMount = null)
    {
        if (bytes == 0) throw new ArgumentOutOfRangeException(nameof(bytes), "DMA size must be positive");
        _length = (bytes + PageSize - 1) & ~(PageSize - 1);
        _base = hugetlbfsMount is null ? MapAnonymous(_length) : MapFile(_length, hugetlbfsMount);
        try { _arenas = BuildArenas(_base, _length); }
        catch
        {
            Libc.Munmap(_base, _length);
            _base = null;
            throw;
        }
    }

    /// <summary>Bytes reserved.</summary>
    public nuint Length => _length;

    /// <summary>One arena per run of physically contiguous hugepages (device address = physical address).</summary>
    public IReadOnlyList<DmaArena> Arenas => _arenas;

    /// <summary>
    /// Zeroed memory aligned to <paramref name="alignment"/>, physically contiguous (never crossing
    /// the end of a contiguous run); empty when no run has room.
    /// </summary>
    public DmaBuffer Allocate(nuint length, nuint alignment)
    {
        lock (_lock)
        {
            if (_base == null) return default;
            for (int i = _current; i < _arenas.Length; i++)
            {
                var buffer = _arenas[i].Allocate(length, alignment);
                if (buffer.IsEmpty) continue;
                _current = i;
                return buffer;
            }
            return default;
        }
    }

    /// <summary>
    /// The physical address of <paramref name="virtualAddress"/> in this process, from
    /// /proc/self/pagemap. The page must be resident; needs root (others read frame number 0).
    /// </summary>
    public static ulong PhysicalAddress(void* virtualAddress)
    {
        int fd = Libc.Open(PagemapPath, Libc.O_RDONLY);
        if (fd < 0) throw new VfioException($"cannot open {PagemapPath} ({Libc.Describe(Libc.Errno)})", Libc.Errno);
        try { return PhysicalAddress(fd, virtualAddress); }
        finally { Libc.Close(fd); }
    }

    /// <summary>Unmaps the memory; buffers handed out must no longer be in a device's hands.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_base == null) return;
            Libc.Munmap(_base, _length);
            _base = null;
        }
    }

    private static ulong PhysicalAddress(int pagemap, void* virtualAddress)
    {
        const ulong SmallPage = 4096;   // pagemap has one 8-byte entry per 4 KiB virtual page
        ulong va = (ulong)virtualAddress;
        ulong entry = 0;
        nint got = Libc.Pread(pagemap, &entry, 8, (long)(va / SmallPage * 8));
        if (got != 8) throw new VfioException($"reading {PagemapPath} for 0x{va:x} failed ({(got < 0 ? Libc.Describe(Libc.Errno) : "short read")})", got < 0 ? Libc.Errno : 0);
        if ((entry & (1UL << 63)) == 0) throw new VfioException($"page at 0x{va:x} is not resident ({PagemapPath} bit 63 clear)");
        ulong pfn = entry & ((1UL << 55) - 1);
        if (pfn == 0)
            throw new VfioException($"{PagemapPath} returned page frame 0 for 0x{va:x}: physical addresses are hidden from this process (running as uid {Libc.Geteuid()}); run as root (CAP_SYS_ADMIN)");
        return pfn * SmallPage + (va % SmallPage);
    }

    private static DmaArena[] BuildArenas(byte* baseAddress, nuint length)
    {
        int pagemap = Libc.Open(PagemapPath, Libc.O_RDONLY);
        if (pagemap < 0) throw new VfioException($"cannot open {PagemapPath} ({Libc.Describe(Libc.Errno)})", Libc.Errno);
        try
        {
            var arenas = new List<DmaArena>();
            nuint pages = length / PageSize;
            byte* runStart = baseAddress;
            ulong runPhysical = 0;
            nuint runLength = 0;
            for (nuint i = 0; i < pages; i++)
            {
                byte* page = baseAddress + i * PageSize;
                ((Regs.Runtime.Volatile8*)page)->Value = 0;   // fault it in (MAP_POPULATE should have)
                ulong physical = PhysicalAddress(pagemap, page);
                if ((physical & (PageSize - 1)) != 0)
                    throw new VfioException($"memory at 0x{(ulong)page:x} is not backed by a 2 MiB hugepage (physical 0x{physical:x}); is the default hugepage size 2 MiB?");
                if (runLength != 0 && physical == runPhysical + runLength) { runLength += PageSize; continue; }
                if (runLength != 0) arenas.Add(new DmaArena(runStart, runPhysical, runLength));
                runStart = page;
                runPhysical = physical;
                runLength = PageSize;
            }
            if (runLength != 0) arenas.Add(new DmaArena(runStart, runPhysical, runLength));
            return arenas.ToArray();
        }
        finally { Libc.Close(pagemap); }
    }

    private static byte* MapAnonymous(nuint length)
    {
        byte* p = (byte*)Libc.Mmap(length, Libc.PROT_READ | Libc.PROT_WRITE,
            Libc.MAP_SHARED | Libc.MAP_ANONYMOUS | Libc.MAP_HUGETLB | Libc.MAP_HUGE_2MB | Libc.MAP_POPULATE, -1, 0);
        if (p == null) throw NoHugepages(length, Libc.Errno);
        return p;
    }

    private static byte* MapFile(nuint length, string mount)
    {
        string path = Path.Combine(mount, $"regs-dma-{Environment.ProcessId}-{Interlocked.Increment(ref _fileCounter)}");
        int fd = Libc.Open(path, Libc.O_RDWR | Libc.O_CREAT, 0x180 /* 0600 */);
        if (fd < 0)
            throw new VfioException($"cannot create {path} ({Libc.Describe(Libc.Errno)}): is {mount} a hugetlbfs mount (mount -t hugetlbfs none {mount}) and are we root?", Libc.Errno);
        try
        {
            if (Libc.Ftruncate(fd, (long)length) != 0) throw NoHugepages(length, Libc.Errno);
            byte* p = (byte*)Libc.Mmap(length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_POPULATE, fd, 0);
            if (p == null) throw NoHugepages(length, Libc.Errno);
            return p;
        }
        finally
        {
            Libc.Close(fd);
            try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static VfioException NoHugepages(nuint length, int errno)
    {
        string free = ReadCount("free_hugepages");
        string total = ReadCount("nr_hugepages");
        return new VfioException($"cannot get {length / PageSize} 2 MiB hugepages ({Libc.Describe(errno)}; {free} free of {total} reserved): reserve them with echo {length / PageSize} > {HugepagesDir}/nr_hugepages (as root)", errno);
    }

    private static string ReadCount(string name)
    {
        try { return File.ReadAllText($"{HugepagesDir}/{name}").Trim(); }
        catch (IOException) { return "?"; }
        catch (UnauthorizedAccessException) { return "?"; }
    }
}
