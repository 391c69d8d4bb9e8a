using System;

namespace Regs.Testing.Traffic;

/// <summary>A traffic check failed: a frame lost, delivered twice, corrupted or out of order, a driver error, a stall.</summary>
public sealed class TrafficException : Exception
{
    /// <summary>A failed check described by <paramref name="message"/>.</summary>
    public TrafficException(string message) : base(message) { }
}
