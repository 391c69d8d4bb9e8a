using System;

namespace Regs.Runtime.Vfio;

/// <summary>
/// A VFIO or sysfs step failed. The message says what to do about it (load a module, boot with the
/// IOMMU on, bind the device to vfio-pci, run as root), and <see cref="Errno"/> keeps the kernel's
/// error number when a system call failed.
/// </summary>
public sealed class VfioException : Exception
{
    /// <summary>The failure described by <paramref name="message"/>.</summary>
    public VfioException(string message) : base(message) { }

    /// <summary>A failed system call: <paramref name="message"/> plus errno <paramref name="errno"/>.</summary>
    public VfioException(string message, int errno) : base(message) { Errno = errno; }

    /// <summary>The errno of the failed system call, 0 when none failed.</summary>
    public int Errno { get; }
}
