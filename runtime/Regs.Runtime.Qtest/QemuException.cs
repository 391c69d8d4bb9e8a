using System;

namespace Regs.Runtime.Qtest;

/// <summary>
/// QEMU failed: it exited, did not connect, answered FAIL, or did not answer in time. The message
/// carries what QEMU wrote to stderr, so a failing test shows QEMU's own diagnosis.
/// </summary>
public sealed class QemuException : Exception
{
    /// <summary>An exception with <paramref name="message"/> (which should include QEMU's stderr when known).</summary>
    public QemuException(string message) : base(message) { }
}
