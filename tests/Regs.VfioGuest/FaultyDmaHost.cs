using System;
using Regs.Runtime;
using Regs.Runtime.Pci;
using Regs.Runtime.Vfio;

namespace Regs.VfioGuest;

/// <summary>
/// A VFIO host that lies about where large DMA buffers are: their device address is moved 1 TiB
/// past the IOVA the container mapped, so a driver's rings are reachable but its packet buffers
/// point outside every IOMMU mapping. The device's first access to one must end in a DMAR fault,
/// and the driver must come back with an error, not hang.
/// </summary>
internal readonly unsafe struct FaultyDmaHost : IDriverHost, IPciHost<UserspaceAccess>
{
    public const ulong Displacement = 1ul << 40;
    private const nuint RingLimit = 64 << 10;        // rings are smaller than this; buffer areas larger

    private readonly VfioHost _inner;

    public FaultyDmaHost(VfioHost inner) { _inner = inner; }

    public ulong NowMicroseconds() => _inner.NowMicroseconds();
    public void Delay(uint microseconds) => _inner.Delay(microseconds);
    public void Log(ReadOnlySpan<byte> utf8Line) => _inner.Log(utf8Line);
    public void* AllocatePrivate(nuint length) => _inner.AllocatePrivate(length);
    public bool TranslatesDma => _inner.TranslatesDma;
    public uint InterruptVectors => _inner.InterruptVectors;
    public bool WaitForInterrupt(uint timeoutMicroseconds) => _inner.WaitForInterrupt(timeoutMicroseconds);
    public UserspaceAccess ConfigSpace() => _inner.ConfigSpace();
    public bool TryMapBar(uint index, out UserspaceAccess registers, out ulong length) => _inner.TryMapBar(index, out registers, out length);

    public DmaBuffer AllocateDma(nuint length, nuint alignment)
    {
        DmaBuffer real = _inner.AllocateDma(length, alignment);
        return real.IsEmpty || length < RingLimit ? real : new DmaBuffer(real.Cpu, real.Device + Displacement, real.Length);
    }
}
