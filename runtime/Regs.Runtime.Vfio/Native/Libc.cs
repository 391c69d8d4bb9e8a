using System.Runtime.InteropServices;

namespace Regs.Runtime.Vfio.Native;

/// <summary>
/// The libc calls this backend makes, with blittable signatures only (source-generated stubs, so
/// NativeAOT links them directly). Constants are the Linux generic/x86-64 values; the scratch C
/// check compares them with the system headers. Every file descriptor and mapping made here goes
/// through <see cref="NativeResources"/> so tests can see that everything was released.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Library = "libc";

    // fcntl.h
    public const int O_RDONLY = 0;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_CLOEXEC = 0x80000;
    public const int O_SYNC = 0x101000;

    // sys/mman.h
    public const int PROT_READ = 1;
    public const int PROT_WRITE = 2;
    public const int MAP_SHARED = 0x01;
    public const int MAP_PRIVATE = 0x02;
    public const int MAP_ANONYMOUS = 0x20;
    public const int MAP_POPULATE = 0x8000;
    public const int MAP_HUGETLB = 0x40000;
    public const int MAP_HUGE_SHIFT = 26;
    public const int MAP_HUGE_2MB = 21 << MAP_HUGE_SHIFT;

    // sys/eventfd.h
    public const int EFD_NONBLOCK = 0x800;
    public const int EFD_CLOEXEC = 0x80000;

    // poll.h
    public const short POLLIN = 0x1;

    // errno.h
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EFAULT = 14;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int ENOSPC = 28;

    /// <summary>mmap's failure value, (void*)-1.</summary>
    public static readonly void* MapFailed = (void*)-1;

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true)]
    private static partial int OpenRaw(byte* path, int flags, int mode);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    private static partial int CloseRaw(int fd);

    // ioctl is variadic; on the Linux x86-64 and arm64 ABIs a variadic integer or pointer
    // argument is passed like a fixed one, so a fixed three-argument prototype is correct.
    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, nint argument);

    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    private static partial void* MmapRaw(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    private static partial int MunmapRaw(void* address, nuint length);

    [LibraryImport(Library, EntryPoint = "pread", SetLastError = true)]
    public static partial nint Pread(int fd, void* buffer, nuint count, long offset);

    [LibraryImport(Library, EntryPoint = "pwrite", SetLastError = true)]
    public static partial nint Pwrite(int fd, void* buffer, nuint count, long offset);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventfdRaw(uint initialValue, int flags);

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport(Library, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    [LibraryImport(Library, EntryPoint = "geteuid")]
    public static partial uint Geteuid();

    /// <summary>errno of the last call above.</summary>
    public static int Errno => Marshal.GetLastPInvokeError();

    /// <summary>strerror-like text for <paramref name="errno"/>, with its symbolic name when known.</summary>
    public static string Describe(int errno) => errno == 0
        ? "errno 0, lost: in a static NativeAOT build the app project needs <DirectPInvoke Include=\"libc\" />, else libc.so is loaded a second time with its own errno"
        : $"{Name(errno)}: {Marshal.GetPInvokeErrorMessage(errno)}";

    private static string Name(int errno) => errno switch
    {
        EPERM => "EPERM", ENOENT => "ENOENT", EINTR => "EINTR", EAGAIN => "EAGAIN", ENOMEM => "ENOMEM",
        EACCES => "EACCES", EFAULT => "EFAULT", EBUSY => "EBUSY", EEXIST => "EEXIST", ENODEV => "ENODEV",
        EINVAL => "EINVAL", ENOSPC => "ENOSPC", _ => "errno " + errno,
    };

    /// <summary>open(2) of a path; -1 with errno set on failure. Counted in <see cref="NativeResources"/>.</summary>
    public static int Open(string path, int flags, int mode = 0)
    {
        int length = System.Text.Encoding.UTF8.GetByteCount(path);
        byte* utf8 = stackalloc byte[length + 1];
        System.Text.Encoding.UTF8.GetBytes(path, new System.Span<byte>(utf8, length));
        utf8[length] = 0;
        int fd = OpenRaw(utf8, flags | O_CLOEXEC, mode);
        if (fd >= 0) NativeResources.FileOpened();
        return fd;
    }

    /// <summary>close(2) of a descriptor this class opened.</summary>
    public static void Close(int fd)
    {
        if (fd < 0) return;
        CloseRaw(fd);
        NativeResources.FileClosed();
    }

    /// <summary>eventfd(2), non-blocking and close-on-exec; -1 with errno set on failure.</summary>
    public static int Eventfd()
    {
        int fd = EventfdRaw(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fd >= 0) NativeResources.FileOpened();
        return fd;
    }

    /// <summary>mmap(2); null (not MAP_FAILED) with errno set on failure.</summary>
    public static void* Mmap(nuint length, int protection, int flags, int fd, long offset)
    {
        void* p = MmapRaw(null, length, protection, flags, fd, offset);
        if (p == MapFailed) return null;
        NativeResources.Mapped(length);
        return p;
    }

    /// <summary>munmap(2) of a mapping <see cref="Mmap"/> made.</summary>
    public static void Munmap(void* address, nuint length)
    {
        if (address == null) return;
        MunmapRaw(address, length);
        NativeResources.Unmapped(length);
    }
}
