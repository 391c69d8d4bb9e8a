using System;

namespace Regs.Runtime.Qtest;

/// <summary>
/// QEMU is not installed, or too old to have the devices the tests need (igb arrived in QEMU 8.0).
/// Tests catch it to skip rather than fail; the message says what to install.
/// </summary>
public sealed class QemuUnavailableException : Exception
{
    /// <summary>What to install on Debian 12: QEMU 10 from bookworm-backports (Debian 12's own 7.2 has no igb).</summary>
    public const string InstallHint =
        "install QEMU 8.0 or newer; on Debian 12: add the bookworm-backports suite to apt sources, then " +
        "`apt-get install -t bookworm-backports qemu-system-x86` (QEMU 10; Debian 12's own 7.2 has no igb)";

    /// <summary>An exception saying why QEMU cannot be used, followed by <see cref="InstallHint"/>.</summary>
    public QemuUnavailableException(string reason) : base($"{reason}: {InstallHint}") { }
}
