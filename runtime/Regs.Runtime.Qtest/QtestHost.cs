using System;
using Regs.Runtime.Hosted;
using Regs.Runtime.Pci;

namespace Regs.Runtime.Qtest;

/// <summary>
/// What a driver gets when its device is one of QEMU's models under qtest: DMA memory in guest
/// RAM (device address = guest-physical address), private memory from the machine's native
/// arena, the process clock (QEMU runs in real time), console logging, the device's interrupt
/// line as intercepted at the IOAPIC, and for PCI functions the configuration space and BARs.
/// Build one with <see cref="QemuMachine.PciHost"/>, <see cref="QemuMachine.NicHost"/> or
/// <see cref="QemuMachine.VirtioMmioHost"/>.
/// </summary>
public readonly unsafe struct QtestHost : IDriverHost, IPciHost<QtestAccess>
{
    private readonly QemuMachine _machine;
    private readonly string _name;
    private readonly int _gsi;
    private readonly QtestPciFunction? _pci;
    private readonly QtestAccess _registers;

    /// <summary>A host for a device whose interrupt reaches IOAPIC input <paramref name="gsi"/> (-1: none).</summary>
    public QtestHost(QemuMachine machine, string name, int gsi, QtestPciFunction? pci, QtestAccess registers)
    {
        _machine = machine;
        _name = name;
        _gsi = gsi;
        _pci = pci;
        _registers = registers;
    }

    /// <summary>The machine the device lives on.</summary>
    public QemuMachine Machine => _machine;
    /// <summary>The log prefix.</summary>
    public string Name => _name;
    /// <summary>The IOAPIC input (GSI) <see cref="WaitForInterrupt"/> watches, -1 for none.</summary>
    public int Gsi => _gsi;
    /// <summary>The PCI function, null for a virtio-mmio device.</summary>
    public QtestPciFunction? Pci => _pci;
    /// <summary>
    /// The device's main register block: a virtio-mmio transport's registers, or BAR 0 of a PCI
    /// function (default when it has no memory BAR 0).
    /// </summary>
    public QtestAccess Registers => _registers;

    /// <inheritdoc/>
    public ulong NowMicroseconds() => MonotonicClock.NowMicroseconds();
    /// <inheritdoc/>
    public void Delay(uint microseconds) => MonotonicClock.Delay(microseconds);
    /// <inheritdoc/>
    public void Log(ReadOnlySpan<byte> utf8Line) => ConsoleLog.Write(_name, utf8Line);
    /// <inheritdoc/>
    public void* AllocatePrivate(nuint length) => _machine.PrivateMemory.Allocate(length, 64).Cpu;
    /// <inheritdoc/>
    public DmaBuffer AllocateDma(nuint length, nuint alignment) => _machine.Dma.Allocate(length, alignment);
    /// <summary>Interrupts are the device's INTx line, seen through the IOAPIC intercept.</summary>
    public uint InterruptVectors => 0;

    /// <summary>No IOMMU: devices use guest-physical addresses, which are the buffers' device addresses.</summary>
    public bool TranslatesDma => false;

    /// <summary>Waits (bounded) until the device's interrupt line is high at the IOAPIC; level-triggered, so true at once while it stays asserted.</summary>
    public bool WaitForInterrupt(uint timeoutMicroseconds)
        => _gsi >= 0 && _machine.Connection.WaitForIrqHigh(_gsi, TimeSpan.FromMicroseconds(timeoutMicroseconds));

    /// <summary>True while the device's interrupt line is high.</summary>
    public bool InterruptAsserted => _gsi >= 0 && _machine.Connection.IsIrqHigh(_gsi);

    /// <inheritdoc/>
    public QtestAccess ConfigSpace() => _pci?.Config ?? default;

    /// <summary>Memory BAR <paramref name="index"/> and the size the harness found sizing it (<see cref="PciBarAllocator"/>).</summary>
    public bool TryMapBar(uint index, out QtestAccess registers, out ulong length)
    {
        registers = default;
        length = 0;
        if (_pci is null || !_pci.TryGetBar((int)index, out var bar) || bar.IsIo) return false;
        length = bar.Size;
        registers = QtestAccess.Mmio(_machine.Connection, bar.Address);
        return true;
    }
}
