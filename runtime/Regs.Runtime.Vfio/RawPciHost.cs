using System;
using Regs.Runtime.Hosted;
using Regs.Runtime.Pci;

namespace Regs.Runtime.Vfio;

/// <summary>
/// What a driver gets on the raw-pointer route: BARs mmapped from sysfs, configuration space
/// through the sysfs config file, DMA memory in hugepages at their physical addresses (so
/// <see cref="TranslatesDma"/> is false: this needs iommu=pt or no IOMMU), private memory, the
/// process clock and console logging. There is no interrupt delivery: <see cref="WaitForInterrupt"/>
/// waits out its timeout and returns false, so drivers poll. Build one with <see cref="SysfsPciDevice.CreateHost"/>.
/// </summary>
public readonly unsafe struct RawPciHost : IDriverHost, IPciHost<UserspaceAccess>
{
    private readonly SysfsPciDevice _device;
    private readonly HugepageDma _dma;
    private readonly DmaArena _private;
    private readonly string _name;

    /// <summary>A host over <paramref name="device"/> with DMA memory from <paramref name="dma"/> and private memory from <paramref name="privateMemory"/>.</summary>
    public RawPciHost(SysfsPciDevice device, HugepageDma dma, DmaArena privateMemory, string name)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(dma);
        ArgumentNullException.ThrowIfNull(privateMemory);
        _device = device;
        _dma = dma;
        _private = privateMemory;
        _name = name ?? "raw";
    }

    /// <summary>The device.</summary>
    public SysfsPciDevice Device => _device;
    /// <summary>The hugepage DMA memory.</summary>
    public HugepageDma Dma => _dma;
    /// <summary>The log prefix.</summary>
    public string Name => _name;

    /// <inheritdoc/>
    public ulong NowMicroseconds() => MonotonicClock.NowMicroseconds();
    /// <inheritdoc/>
    public void Delay(uint microseconds) => MonotonicClock.Delay(microseconds);
    /// <inheritdoc/>
    public void Log(ReadOnlySpan<byte> utf8Line) => ConsoleLog.Write(_name, utf8Line);
    /// <inheritdoc/>
    public void* AllocatePrivate(nuint length) => _private.Allocate(length, 64).Cpu;
    /// <inheritdoc/>
    public DmaBuffer AllocateDma(nuint length, nuint alignment) => _dma.Allocate(length, alignment);
    /// <summary>False: the device is given physical addresses.</summary>
    public bool TranslatesDma => false;
    /// <summary>0: no interrupt delivery on this route.</summary>
    public uint InterruptVectors => 0;

    /// <summary>No interrupts on this route: waits out the timeout and returns false.</summary>
    public bool WaitForInterrupt(uint timeoutMicroseconds)
    {
        MonotonicClock.Delay(timeoutMicroseconds);
        return false;
    }

    /// <inheritdoc/>
    public UserspaceAccess ConfigSpace() => _device.ConfigSpace();

    /// <inheritdoc/>
    public bool TryMapBar(uint index, out UserspaceAccess registers, out ulong length) => _device.TryMapBar(index, out registers, out length);
}
