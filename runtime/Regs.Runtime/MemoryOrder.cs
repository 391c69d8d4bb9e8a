using System.Threading;
using System.Runtime.CompilerServices;

namespace Regs.Runtime;

/// <summary>
/// The orderings that rings shared with a device need, in one place (virtio 1.2 section 2.7.13,
/// 82576 datasheet 7.1.4: descriptors must be visible before the index or tail that publishes them).
/// Accesses to ring memory go through volatile fields, which the .NET memory model orders as
/// acquire (loads) and release (stores); these add what volatile cannot.
/// <para>
/// What each architecture gets, and why it is device ordering (what virtio's
/// VIRTIO_F_ORDER_PLATFORM asks for: the barriers a hardware device needs, not only those between
/// CPUs). x64: volatile accesses are plain moves, ordered by x86's memory model for write-back
/// memory as seen by any bus master (PCIe DMA is cache coherent there; Linux's dma_wmb/dma_rmb are
/// compiler barriers on x86), and the fence is a lock-prefixed instruction, a full barrier for
/// every agent (RyuJIT's expansion of Interlocked.MemoryBarrier; the bare-metal core library
/// declares the same intrinsic and the boot build checks it was expanded). arm64: volatile stores
/// are stlr and loads ldar, and the fence is dmb ish. These order every observer in the inner
/// shareable domain, which holds the I/O-coherent masters of a system that keeps DMA coherent in
/// hardware. Linux's dma_mb is dmb osh, which also covers masters outside it; .NET cannot emit
/// that, so on arm64 the promise holds for I/O-coherent DMA only. No host here does cache
/// maintenance on DMA memory, so every one already requires such a platform.
/// </para>
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
