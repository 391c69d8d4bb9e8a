using System.Threading;

namespace Regs.Runtime.Vfio;

/// <summary>
/// Counts what this backend holds from the kernel across the whole process: file descriptors
/// (the VFIO container, groups and devices, eventfds, sysfs files) and memory mappings (BARs, DMA
/// and private memory). Tests compare these before and after a run to prove that disposing
/// released everything, alongside /proc/self/fd and /proc/self/maps.
/// </summary>
public static class NativeResources
{
    private static int _files;
    private static int _mappings;
    private static long _mappedBytes;

    /// <summary>File descriptors opened by this backend and not yet closed.</summary>
    public static int OpenFileDescriptors => Volatile.Read(ref _files);

    /// <summary>Memory mappings made by this backend and not yet unmapped.</summary>
    public static int Mappings => Volatile.Read(ref _mappings);

    /// <summary>Bytes in those mappings.</summary>
    public static long MappedBytes => Interlocked.Read(ref _mappedBytes);

    internal static void FileOpened() => Interlocked.Increment(ref _files);
    internal static void FileClosed() => Interlocked.Decrement(ref _files);

    internal static void Mapped(nuint bytes)
    {
        Interlocked.Increment(ref _mappings);
        Interlocked.Add(ref _mappedBytes, (long)bytes);
    }

    internal static void Unmapped(nuint bytes)
    {
        Interlocked.Decrement(ref _mappings);
        Interlocked.Add(ref _mappedBytes, -(long)bytes);
    }
}
