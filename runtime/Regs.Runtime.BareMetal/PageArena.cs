using Regs.Runtime.BareMetal.Uefi;

namespace Regs.Runtime.BareMetal;

/// <summary>
/// A bump allocator over UEFI pages (EfiLoaderData below 4 GiB, zeroed when taken from the
/// firmware): drivers allocate while initialising and never free, so nothing more is needed.
/// Boot services identity-map memory, so an address from here is also its physical address,
/// which is what a device is told for DMA. Single-threaded, like everything in a UEFI application.
/// </summary>
public static unsafe class PageArena
{
    /// <summary>Pages taken from the firmware at a time (256 KiB); larger requests take a page run of their own.</summary>
    public const nuint ChunkPages = 64;

    /// <summary>The largest single allocation: 64 MiB.</summary>
    public const nuint MaxAllocation = 64u << 20;

    private static byte* s_next;
    private static byte* s_end;
    private static nuint s_pagesTaken;

    /// <summary>Pages taken from the firmware so far.</summary>
    public static nuint PagesTaken => s_pagesTaken;

    /// <summary>
    /// <paramref name="length"/> zeroed bytes aligned to <paramref name="alignment"/> (a power of two
    /// up to a page; 0 means 1); null when the firmware has no more pages, the length is 0 or above
    /// <see cref="MaxAllocation"/>, or the alignment is not allowed.
    /// </summary>
    public static void* Allocate(nuint length, nuint alignment)
    {
        if (alignment == 0) alignment = 1;
        if ((alignment & (alignment - 1)) != 0 || alignment > UefiPlatform.PageSize) return null;
        if (length == 0 || length > MaxAllocation) return null;

        nuint pages = (length + UefiPlatform.PageSize - 1) / UefiPlatform.PageSize;
        if (pages > ChunkPages) return TakePages(pages);   // a run of its own; the current chunk stays in use

        byte* at = AlignUp(s_next, alignment);
        if (s_next == null || at > s_end || (nuint)(s_end - at) < length)
        {
            byte* chunk = TakePages(ChunkPages);
            if (chunk == null) return null;
            s_next = chunk;   // the rest of the previous chunk is abandoned
            s_end = chunk + ChunkPages * UefiPlatform.PageSize;
            at = chunk;       // page aligned, so any allowed alignment holds
        }
        s_next = at + length;
        return at;
    }

    private static byte* TakePages(nuint pages)
    {
        byte* run = (byte*)UefiPlatform.AllocatePages(pages, EfiMemoryType.LoaderData, UefiPlatform.Below4GiB);
        if (run == null) return null;
        Zero(run, pages * UefiPlatform.PageSize);
        s_pagesTaken += pages;
        return run;
    }

    private static byte* AlignUp(byte* p, nuint alignment) => (byte*)(((nuint)p + alignment - 1) & ~(alignment - 1));

    private static void Zero(byte* p, nuint bytes)
    {
        ulong* words = (ulong*)p;   // page-aligned run of whole pages
        nuint count = bytes / 8;
        for (nuint i = 0; i < count; i++) words[i] = 0;
    }
}
