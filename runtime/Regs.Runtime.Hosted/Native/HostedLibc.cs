using System.Runtime.InteropServices;

namespace Regs.Runtime.Hosted.Native;

/// <summary>
/// The libc calls of the hosted services (the TAP interface), blittable signatures only
/// (source-generated stubs, so a NativeAOT static build links them directly with
/// <c>&lt;DirectPInvoke Include="libc" /&gt;</c>, as the demo's project has). Constants are the
/// Linux x86-64/arm64 values of the uapi headers named beside them.
/// </summary>
internal static unsafe partial class HostedLibc
{
    private const string Library = "libc";

    // fcntl.h
    public const int O_RDWR = 2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    // sys/socket.h
    public const int AF_INET = 2;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_CLOEXEC = 0x80000;

    // poll.h
    public const short POLLIN = 0x1;
    public const short POLLOUT = 0x4;

    // errno.h
    public const int EINTR = 4;
    public const int EAGAIN = 11;

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>struct iovec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true)]
    public static partial int Open(byte* path, int flags, int mode);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    // ioctl is variadic; on the Linux x86-64 and arm64 ABIs a variadic pointer argument is passed
    // like a fixed one, so a fixed three-argument prototype is correct.
    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, nuint request, void* argument);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int IoctlValue(int fd, nuint request, nint argument);

    [LibraryImport(Library, EntryPoint = "readv", SetLastError = true)]
    public static partial nint Readv(int fd, IoVec* iov, int count);

    [LibraryImport(Library, EntryPoint = "writev", SetLastError = true)]
    public static partial nint Writev(int fd, IoVec* iov, int count);

    [LibraryImport(Library, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    /// <summary>errno of the last call above.</summary>
    public static int Errno => Marshal.GetLastPInvokeError();

    /// <summary>strerror text for <paramref name="errno"/>.</summary>
    public static string Describe(int errno) => errno == 0
        ? "errno 0, lost: in a static NativeAOT build the app project needs <DirectPInvoke Include=\"libc\" />"
        : $"errno {errno}: {Marshal.GetPInvokeErrorMessage(errno)}";
}
