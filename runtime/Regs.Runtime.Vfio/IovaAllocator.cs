using System.Collections.Generic;

namespace Regs.Runtime.Vfio;

/// <summary>
/// Hands out I/O virtual address ranges for one container, so every DMA mapping of every device
/// in it gets its own window (VFIO_IOMMU_MAP_DMA fails with EEXIST on overlap). First fit inside
/// the IOMMU's usable windows, at or above a preferred floor first (4 GiB by default, clear of
/// the 32-bit MMIO hole and the interrupt window), then anywhere from 1 MiB.
/// </summary>
internal sealed class IovaAllocator
{
    private const ulong LowFloor = 1UL << 20;
    private readonly ulong _preferredFloor;
    private readonly List<(ulong Start, ulong End)> _used = new();   // inclusive, sorted by start

    public IovaAllocator(ulong preferredFloor) { _preferredFloor = preferredFloor; }

    /// <summary>Bytes currently handed out.</summary>
    public ulong Allocated
    {
        get
        {
            ulong total = 0;
            foreach (var (start, end) in _used) total += end - start + 1;
            return total;
        }
    }

    /// <summary>A free, <paramref name="alignment"/>-aligned window of <paramref name="size"/> bytes inside <paramref name="windows"/>.</summary>
    public bool TryAllocate(ulong size, ulong alignment, IReadOnlyList<VfioIovaRange> windows, out ulong iova)
    {
        if (TryFit(size, alignment, windows, _preferredFloor, out iova) || TryFit(size, alignment, windows, LowFloor, out iova))
        {
            int at = 0;
            while (at < _used.Count && _used[at].Start < iova) at++;
            _used.Insert(at, (iova, iova + size - 1));
            return true;
        }
        return false;
    }

    /// <summary>Returns the window starting at <paramref name="iova"/>.</summary>
    public void Release(ulong iova)
    {
        for (int i = 0; i < _used.Count; i++)
            if (_used[i].Start == iova) { _used.RemoveAt(i); return; }
    }

    private bool TryFit(ulong size, ulong alignment, IReadOnlyList<VfioIovaRange> windows, ulong floor, out ulong iova)
    {
        iova = 0;
        if (size == 0) return false;
        foreach (var window in windows)
        {
            ulong candidate = AlignUp(window.Start > floor ? window.Start : floor, alignment);
            while (candidate != 0 && Fits(candidate, size, window.End))
            {
                ulong end = candidate + size - 1;
                ulong next = 0;
                foreach (var (start, usedEnd) in _used)
                    if (start <= end && usedEnd >= candidate) { next = AlignUp(usedEnd + 1, alignment); break; }
                if (next == 0) { iova = candidate; return true; }
                candidate = next;
            }
        }
        return false;
    }

    private static bool Fits(ulong start, ulong size, ulong windowEnd)
        => start <= windowEnd && size - 1 <= windowEnd - start;

    // 0 on overflow, which ends the search.
    private static ulong AlignUp(ulong value, ulong alignment)
    {
        ulong aligned = (value + alignment - 1) & ~(alignment - 1);
        return aligned < value ? 0 : aligned;
    }
}
