using System;

namespace Regs.Runtime.Hosted.Tap;

/// <summary>Setting up a TAP interface failed (the data path never throws: it returns errno values).</summary>
public sealed class TapException : Exception
{
    /// <summary>A failure with <paramref name="message"/> and the errno that caused it (0 if none).</summary>
    public TapException(string message, int errno = 0) : base(message) => Errno = errno;

    /// <summary>The errno of the failing call, 0 if none.</summary>
    public int Errno { get; }
}
