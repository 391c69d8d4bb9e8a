using System;
using System.Collections.Generic;
using Regs.Runtime.Pci;

namespace Regs.Runtime.Qtest;

/// <summary>
/// Does what firmware would: sizes each BAR of a function (write all ones, read back), gives it a
/// naturally aligned address that overlaps nothing assigned before, and enables decoding. No
/// firmware runs under qtest (the BIOS is a page of hlt), so BARs start unassigned.
/// Memory comes from 0xE0000000 up to the IOAPIC at 0xFEC00000 (64-bit BARs too, upper half 0);
/// I/O from port 0xC000. Bus Master is left to the driver.
/// </summary>
public sealed class PciBarAllocator
{
    /// <summary>First address handed to memory BARs (q35's PCI hole).</summary>
    public const ulong MemoryStart = 0xE000_0000;
    /// <summary>End of the memory window: the IOAPIC, HPET and local APIC live above.</summary>
    public const ulong MemoryEnd = 0xFEC0_0000;
    /// <summary>First port handed to I/O BARs.</summary>
    public const ulong IoStart = 0xC000;
    /// <summary>End of port space.</summary>
    public const ulong IoEnd = 0x1_0000;

    private readonly object _lock = new();
    private ulong _nextMemory = MemoryStart;
    private ulong _nextIo = IoStart;

    /// <summary>
    /// Sizes and assigns every BAR of the function at <paramref name="config"/>, then sets
    /// Command.MemorySpace (and IoSpace when it has I/O BARs). Returns the BARs present, by index.
    /// </summary>
    public IReadOnlyList<PciBar> Assign<TAccess>(TAccess config) where TAccess : struct, IRegisterAccess<TAccess>
    {
        lock (_lock)
        {
            var header = new PciConfig<TAccess>(config);
            // Decoding off while BARs briefly hold all ones, as firmware does.
            var command = header.Command.Read();
            command.MemorySpace = false;
            command.IoSpace = false;
            header.Command.Write(command);

            var bars = new List<PciBar>();
            for (uint i = 0; i < PciConfig.BARCount; i++)
            {
                var original = header.BAR(i).Read();
                header.BAR(i).Write(new PciConfig.BAR(0xFFFF_FFFF));
                var probe = header.BAR(i).Read();
                if (probe.Bits == 0) { header.BAR(i).Write(original); continue; }

                if (probe.IoSpace)
                {
                    ulong ioSize = (~(probe.Bits & 0xFFFF_FFFCu) + 1) & 0xFFFF;
                    if (ioSize == 0) continue;
                    ulong port = Align(_nextIo, ioSize);
                    if (port + ioSize > IoEnd) throw new InvalidOperationException($"PCI I/O space exhausted assigning BAR{i}");
                    _nextIo = port + ioSize;
                    header.BAR(i).Write(new PciConfig.BAR((uint)port | 1));
                    bars.Add(new PciBar((int)i, port, ioSize, IsIo: true, Is64Bit: false, Prefetchable: false));
                    command.IoSpace = true;
                    continue;
                }

                bool is64 = probe.Kind == PciBarKind.Memory64 && i + 1 < PciConfig.BARCount;
                ulong mask = probe.Bits & 0xFFFF_FFF0u;
                if (is64)
                {
                    header.BAR(i + 1).Write(new PciConfig.BAR(0xFFFF_FFFF));
                    mask |= (ulong)header.BAR(i + 1).Read().Bits << 32;
                }
                else
                {
                    mask |= 0xFFFF_FFFF_0000_0000;
                }
                ulong size = ~mask + 1;
                ulong address = Align(_nextMemory, size);
                if (size == 0 || address + size > MemoryEnd)
                    throw new InvalidOperationException($"PCI memory window exhausted assigning BAR{i} of 0x{size:x} bytes");
                _nextMemory = address + size;

                var value = probe;
                value.Address = (uint)address >> 4;
                header.BAR(i).Write(value);
                if (is64) header.BAR(i + 1).Write(new PciConfig.BAR(0));
                bars.Add(new PciBar((int)i, address, size, IsIo: false, Is64Bit: is64, Prefetchable: probe.Prefetchable));
                if (is64) i++;
            }

            command.MemorySpace = true;
            header.Command.Write(command);
            return bars;
        }
    }

    private static ulong Align(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);
}
