using System;
using System.Threading;
using Regs.Runtime.Hosted;
using Regs.Runtime.Pci;

namespace Regs.Runtime.Models;

/// <summary>
/// What a driver gets when its device is a model: the model's DMA memory, private memory, the
/// process clock, console logging, the model's interrupt line, and for PCI models the
/// configuration space and BARs.
/// </summary>
public readonly unsafe struct ModelHost : IDriverHost, IPciHost<ModelAccess>
{
    private readonly DeviceModel _device;
    private readonly string _name;

    /// <summary>The host for <paramref name="device"/>; <paramref name="name"/> prefixes its log lines.</summary>
    public ModelHost(DeviceModel device, string name) { _device = device; _name = name; }

    /// <inheritdoc/>
    public ulong NowMicroseconds() => MonotonicClock.NowMicroseconds();
    /// <inheritdoc/>
    public void Delay(uint microseconds) => MonotonicClock.Delay(microseconds);
    /// <inheritdoc/>
    public void Log(ReadOnlySpan<byte> utf8Line) => ConsoleLog.Write(_name, utf8Line);
    /// <inheritdoc/>
    public void* AllocatePrivate(nuint length) => _device.Private.Allocate(length, 64).Cpu;
    /// <inheritdoc/>
    public DmaBuffer AllocateDma(nuint length, nuint alignment) => _device.Dma.Allocate(length, alignment);
    /// <summary>Models raise one INTx-style line.</summary>
    public uint InterruptVectors => 0;
    /// <summary>Models translate nothing: the device address is the arena's own numbering.</summary>
    public bool TranslatesDma => false;

    /// <inheritdoc/>
    public bool WaitForInterrupt(uint timeoutMicroseconds)
    {
        ulong until = MonotonicClock.NowMicroseconds() + timeoutMicroseconds;
        lock (_device.Network.Lock)
        {
            _device.DrainInterruptEvent();   // the level below is what counts; the eventfd only wakes poll() callers
            while (!_device.InterruptAsserted)
            {
                ulong now = MonotonicClock.NowMicroseconds();
                if (now >= until) return false;
                Monitor.Wait(_device.Network.Lock, TimeSpan.FromMicroseconds(until - now));
            }
            return true;
        }
    }

    /// <inheritdoc/>
    public ModelAccess ConfigSpace() => _device is PciDeviceModel pci ? new ModelAccess(pci.Config) : default;

    /// <summary>
    /// Memory BAR <paramref name="index"/>, sized through the model's configuration space as
    /// firmware sizes it (<see cref="PciFunction.TrySizeMemoryBar"/>).
    /// </summary>
    public bool TryMapBar(uint index, out ModelAccess registers, out ulong length)
    {
        registers = default;
        length = 0;
        if (_device is not PciDeviceModel pci || index >= 6 || pci.Bars[index] is not { } bar) return false;
        if (!PciFunction.TrySizeMemoryBar(ConfigSpace(), index, out _, out length)) return false;
        registers = new ModelAccess(bar);
        return true;
    }
}
