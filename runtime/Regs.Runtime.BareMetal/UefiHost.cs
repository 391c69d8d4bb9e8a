using System;
using Regs.Runtime.BareMetal.Pci;
using Regs.Runtime.BareMetal.Uefi;
using Regs.Runtime.Pci;

namespace Regs.Runtime.BareMetal;

/// <summary>
/// What a driver gets on bare metal under UEFI boot services, for one PCI function: the TSC
/// clock, delays, the UEFI console as its log, private and DMA memory from <see cref="PageArena"/>
/// (identity mapped, so the device address is the pointer: <see cref="TranslatesDma"/> is false),
/// the function's configuration space through ECAM and its BARs at the addresses the firmware
/// assigned. There is no interrupt delivery: <see cref="WaitForInterrupt"/> waits out its timeout
/// and returns false, so drivers poll. Needs <see cref="UefiBoot.Start"/> first.
/// </summary>
public readonly unsafe struct UefiHost : IDriverHost, IPciHost<MmioPointer<TscClock>>
{
    private readonly byte* _config;

    /// <summary>A host for <paramref name="function"/>.</summary>
    public UefiHost(EcamFunction function) { _config = function.Config; }

    /// <summary>A host for the function whose configuration space is at <paramref name="configSpace"/> (null: no PCI function).</summary>
    public UefiHost(byte* configSpace) { _config = configSpace; }

    /// <summary>
    /// A host for the <paramref name="instance"/>th PCI function with this vendor and device ID,
    /// found through ACPI MCFG and ECAM; false when there is none.
    /// </summary>
    public static bool TryOpen(ushort vendorId, ushort deviceId, uint instance, out UefiHost host)
    {
        host = default;
        if (!EcamPciBus.TryOpenFromAcpi(out EcamPciBus bus) || !bus.TryFind(vendorId, deviceId, instance, out EcamFunction function)) return false;
        host = new UefiHost(function);
        return true;
    }

    /// <summary>True when the host has a PCI function.</summary>
    public bool HasFunction => _config != null;

    /// <inheritdoc/>
    public ulong NowMicroseconds() => TscClock.NowMicroseconds();
    /// <inheritdoc/>
    public void Delay(uint microseconds) => TscClock.Delay(microseconds);
    /// <inheritdoc/>
    public void Log(ReadOnlySpan<byte> utf8Line) => UefiConsole.WriteLine(utf8Line);
    /// <inheritdoc/>
    public void* AllocatePrivate(nuint length) => PageArena.Allocate(length, 64);

    /// <inheritdoc/>
    public DmaBuffer AllocateDma(nuint length, nuint alignment)
    {
        byte* cpu = (byte*)PageArena.Allocate(length, alignment);
        return cpu == null ? default : new DmaBuffer(cpu, (ulong)cpu, length);   // identity mapped: physical == pointer
    }

    /// <summary>False: the device is given physical addresses (no IOMMU is set up).</summary>
    public bool TranslatesDma => false;
    /// <summary>0: no interrupt delivery here.</summary>
    public uint InterruptVectors => 0;

    /// <summary>No interrupts on bare metal: waits out the timeout and returns false.</summary>
    public bool WaitForInterrupt(uint timeoutMicroseconds)
    {
        TscClock.Delay(timeoutMicroseconds);
        return false;
    }

    /// <summary>The function's configuration space in the ECAM window (a null backend without a function).</summary>
    public MmioPointer<TscClock> ConfigSpace() => new(_config);

    /// <summary>
    /// Memory BAR <paramref name="index"/> at the address firmware assigned, with the size it
    /// decodes (both through <see cref="PciFunction.TrySizeMemoryBar"/>: all ones written and read
    /// back, then restored); the address is a pointer because boot services identity-map the
    /// address space. False without a function, or for an absent, I/O, unassigned or unsizable BAR.
    /// </summary>
    public bool TryMapBar(uint index, out MmioPointer<TscClock> registers, out ulong length)
    {
        registers = default;
        length = 0;
        if (_config == null || !PciFunction.TrySizeMemoryBar(ConfigSpace(), index, out ulong address, out length)) return false;
        registers = new MmioPointer<TscClock>((byte*)(nuint)address);
        return true;
    }
}
