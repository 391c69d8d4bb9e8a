using System.Threading;
using System.Runtime.CompilerServices;

namespace Regs.Runtime;

/// <summary>
/// The orderings that rings shared with a device need, in one place (virtio 1.2 section 2.7.13,
/// 82576 datasheet 7.1.4: descriptors must be visible before the index or tail that publishes them).
/// Accesses to ring memory go through volatile fields, which the .NET memory model orders as
/// acquire (loads) and release (stores); these add what volatile cannot.
/// </summary>
public static class MemoryOrder
{
    /// <summary>
    /// A full fence: stores before it are visible before loads after it. Virtio needs it between
    /// publishing the available index and reading the device's notification suppression.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Full() => Interlocked.MemoryBarrier();
}
