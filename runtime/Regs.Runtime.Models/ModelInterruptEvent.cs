using System;
using System.Runtime.InteropServices;

namespace Regs.Runtime.Models;

/// <summary>
/// An eventfd(2) that a model signals when it asserts its interrupt, so a caller can sleep on a
/// model NIC in one poll() together with other descriptors, as it does on VFIO's interrupt
/// eventfds. Non-blocking; <see cref="ModelHost.WaitForInterrupt"/> reads (resets) it.
/// </summary>
internal static unsafe class ModelInterruptEvent
{
    private const int EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;

    [DllImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static extern int EventfdRaw(uint initialValue, int flags);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    private static extern nint ReadRaw(int fd, void* buffer, nuint count);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    private static extern nint WriteRaw(int fd, void* buffer, nuint count);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int CloseRaw(int fd);

    public static int Open()
    {
        int fd = EventfdRaw(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fd < 0) throw new InvalidOperationException($"eventfd failed (errno {Marshal.GetLastPInvokeError()})");
        return fd;
    }

    public static void Signal(int fd)
    {
        ulong one = 1;
        WriteRaw(fd, &one, 8);
    }

    public static void Drain(int fd)
    {
        ulong count;
        ReadRaw(fd, &count, 8);
    }

    public static void Close(int fd) => CloseRaw(fd);
}
