namespace Regs.Runtime;

/// <summary>
/// A point in time after which a bounded wait gives up. Every poll loop in the drivers runs
/// against one, so no wait can hang on a device that never answers.
/// </summary>
public readonly struct Deadline
{
    private readonly ulong _at;

    private Deadline(ulong at) { _at = at; }

    /// <summary>The deadline <paramref name="microseconds"/> from now on <paramref name="host"/>'s clock.</summary>
    public static Deadline After<THost>(ref THost host, uint microseconds) where THost : struct, IDriverHost
        => new(host.NowMicroseconds() + microseconds);

    /// <summary>True once the deadline has passed.</summary>
    public bool Expired<THost>(ref THost host) where THost : struct, IDriverHost
        => host.NowMicroseconds() >= _at;

    /// <summary>Microseconds left, 0 once expired.</summary>
    public uint Remaining<THost>(ref THost host) where THost : struct, IDriverHost
    {
        ulong now = host.NowMicroseconds();
        if (now >= _at) return 0;
        ulong left = _at - now;
        return left > uint.MaxValue ? uint.MaxValue : (uint)left;
    }
}
