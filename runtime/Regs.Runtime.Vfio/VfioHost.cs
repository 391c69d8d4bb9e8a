using System;
using Regs.Runtime.Hosted;
using Regs.Runtime.Pci;

namespace Regs.Runtime.Vfio;

/// <summary>
/// What a driver gets for a PCI function owned through vfio-pci: DMA memory mapped into the IOMMU
/// (device address = IOVA, so <see cref="TranslatesDma"/> is true), private memory, the process
/// clock, console logging, interrupts through the device's eventfds (INTx or MSI-X as enabled on
/// the device), configuration space (region 7) and the BARs (regions 0-5). Build one with
/// <see cref="VfioDevice.CreateHost"/>, or from parts the caller owns.
/// </summary>
public readonly unsafe struct VfioHost : IDriverHost, IPciHost<UserspaceAccess>
{
    private readonly VfioDevice _device;
    private readonly DmaArena _dma;
    private readonly DmaArena _private;
    private readonly string _name;
    private readonly int _vector;

    /// <summary>
    /// A host over <paramref name="device"/> handing out DMA memory from <paramref name="dma"/> (an
    /// arena from <see cref="VfioContainer.MapDma"/>) and private memory from
    /// <paramref name="privateMemory"/>; <paramref name="name"/> prefixes log lines;
    /// <see cref="WaitForInterrupt"/> watches <paramref name="interruptVector"/> (-1: any enabled vector).
    /// </summary>
    public VfioHost(VfioDevice device, DmaArena dma, DmaArena privateMemory, string name, int interruptVector = -1)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(dma);
        ArgumentNullException.ThrowIfNull(privateMemory);
        _device = device;
        _dma = dma;
        _private = privateMemory;
        _name = name ?? "vfio";
        _vector = interruptVector;
    }

    /// <summary>The device.</summary>
    public VfioDevice Device => _device;
    /// <summary>The IOMMU-mapped DMA arena (device addresses are IOVAs).</summary>
    public DmaArena Dma => _dma;
    /// <summary>The private-memory arena.</summary>
    public DmaArena PrivateMemory => _private;
    /// <summary>The log prefix.</summary>
    public string Name => _name;
    /// <summary>The vector <see cref="WaitForInterrupt"/> watches, -1 for any.</summary>
    public int InterruptVector => _vector;

    /// <summary>The same host watching vector <paramref name="vector"/> (-1: any).</summary>
    public VfioHost WithInterruptVector(int vector) => new(_device, _dma, _private, _name, vector);

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
    /// <summary>True: the device's DMA goes through the IOMMU, at the IOVAs the container mapped.</summary>
    public bool TranslatesDma => true;

    /// <summary>0 for INTx (or no interrupts), else the number of MSI-X (or MSI) vectors enabled on the device.</summary>
    public uint InterruptVectors => _device.InterruptMode is VfioInterruptMode.Msix or VfioInterruptMode.Msi ? (uint)_device.InterruptVectors : 0;

    /// <summary>Waits (bounded) for the device's interrupt through its eventfd (INTx is unmasked first); false after the timeout, and always false when no interrupts are enabled.</summary>
    public bool WaitForInterrupt(uint timeoutMicroseconds) => _device.WaitForInterrupt(_vector, timeoutMicroseconds);

    /// <summary>The eventfds <see cref="WaitForInterrupt"/> watches (one vector, or all enabled with -1), to poll() on with other descriptors; read-only.</summary>
    public ReadOnlySpan<int> InterruptFileDescriptors
    {
        get
        {
            ReadOnlySpan<int> all = _device.InterruptFileDescriptors;
            return _vector < 0 || _vector >= all.Length ? all : all.Slice(_vector, 1);
        }
    }

    /// <inheritdoc/>
    public UserspaceAccess ConfigSpace() => _device.ConfigSpace();

    /// <inheritdoc/>
    public bool TryMapBar(uint index, out UserspaceAccess registers, out ulong length) => _device.TryMapBar(index, out registers, out length);
}
