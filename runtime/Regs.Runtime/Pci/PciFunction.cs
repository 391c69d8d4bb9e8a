namespace Regs.Runtime.Pci;

/// <summary>
/// Helpers over a function's configuration space: enabling DMA and walking the capability list
/// (PCI Local Bus 3.0 sections 6.2.2 and 6.7). Every loop is bounded by the 256-byte space, so a
/// corrupt list cannot hang the caller.
/// </summary>
public static class PciFunction
{
    /// <summary>Capabilities live in the first 256 bytes, 4-byte aligned, after the 64-byte header: at most 48.</summary>
    public const int MaxCapabilities = 48;

    /// <summary>
    /// Sets Memory Space (the function answers its BARs) and Bus Master as asked (PCI 3.0 6.2.2).
    /// Drivers open with <paramref name="busMaster"/> false and enable it only after resetting the
    /// device, so rings left running by a previous owner (a killed process, firmware) cannot write
    /// into memory that now belongs to someone else.
    /// </summary>
    public static void EnableMemory<TAccess>(TAccess config, bool busMaster) where TAccess : struct, IRegisterAccess<TAccess>
    {
        var header = new PciConfig<TAccess>(config);
        var command = header.Command.Read();
        command.MemorySpace = true;
        command.BusMaster = busMaster;
        header.Command.Write(command);
    }

    /// <summary>
    /// The address firmware (or vfio-pci, or a harness) assigned to memory BAR <paramref name="index"/>
    /// (PCI 3.0 section 6.2.5.1): a 64-bit BAR takes its upper half from the next register. False
    /// for an I/O BAR, the upper half of a 64-bit BAR, an index beyond the header, or an unassigned BAR.
    /// </summary>
    public static bool TryReadMemoryBar<TAccess>(TAccess config, uint index, out ulong address) where TAccess : struct, IRegisterAccess<TAccess>
    {
        address = 0;
        if (index >= PciConfig.BARCount) return false;
        var header = new PciConfig<TAccess>(config);
        for (uint i = 0; i < index; i++)   // skip the upper halves of 64-bit BARs before this one
        {
            var before = header.BAR(i).Read();
            if (!before.IoSpace && before.Kind == PciBarKind.Memory64) { if (++i == index) return false; }
        }
        var bar = header.BAR(index).Read();
        if (bar.IoSpace) return false;
        address = (ulong)bar.Address << 4;
        if (bar.Kind == PciBarKind.Memory64)
        {
            if (index + 1 >= PciConfig.BARCount) return false;
            address |= (ulong)header.BAR(index + 1).Read().Bits << 32;
        }
        return address != 0;
    }

    /// <summary>
    /// The address and size of memory BAR <paramref name="index"/>, sized the standard way (PCI 3.0
    /// section 6.2.5.1): with memory decoding off, write all ones, read back which address bits
    /// stick, restore the BAR and the Command register. False as <see cref="TryReadMemoryBar"/>, or
    /// when the read-back is no power-of-two size the address is aligned to.
    /// </summary>
    public static bool TrySizeMemoryBar<TAccess>(TAccess config, uint index, out ulong address, out ulong size) where TAccess : struct, IRegisterAccess<TAccess>
    {
        size = 0;
        if (!TryReadMemoryBar(config, index, out address)) return false;
        var header = new PciConfig<TAccess>(config);
        var command = header.Command.Read();
        var quiet = command;
        quiet.MemorySpace = false;                 // the BAR briefly holds all ones: decode nothing meanwhile
        header.Command.Write(quiet);
        var low = header.BAR(index).Read();
        bool is64 = low.Kind == PciBarKind.Memory64;    // TryReadMemoryBar checked index + 1 exists
        header.BAR(index).Write(new PciConfig.BAR(0xFFFF_FFFF));
        ulong mask = header.BAR(index).Read().Bits & 0xFFFF_FFF0u;
        header.BAR(index).Write(low);
        if (is64)
        {
            var high = header.BAR(index + 1).Read();
            header.BAR(index + 1).Write(new PciConfig.BAR(0xFFFF_FFFF));
            mask |= (ulong)header.BAR(index + 1).Read().Bits << 32;
            header.BAR(index + 1).Write(high);
        }
        else
        {
            mask |= 0xFFFF_FFFF_0000_0000;
        }
        header.Command.Write(command);
        ulong decoded = ~mask + 1;
        if (decoded == 0 || (decoded & (decoded - 1)) != 0 || (address & (decoded - 1)) != 0) return false;
        size = decoded;
        return true;
    }

    /// <summary>
    /// The offset of the capability with <paramref name="id"/> after <paramref name="after"/>
    /// (0 to start at the head of the list), or 0 when there is none.
    /// </summary>
    public static uint FindCapability<TAccess>(TAccess config, uint id, uint after = 0) where TAccess : struct, IRegisterAccess<TAccess>
    {
        var header = new PciConfig<TAccess>(config);
        if (!header.Status.Read().CapabilitiesList) return 0;
        uint at = after == 0 ? header.CapabilitiesPointer.Read() & 0xFCu : Next(config, after);
        for (int i = 0; i < MaxCapabilities && at >= 0x40; i++)
        {
            if (new PciCapability<TAccess>(config.At(at)).CapabilityID.Read() == id) return at;
            at = Next(config, at);
        }
        return 0;
    }

    private static uint Next<TAccess>(TAccess config, uint at) where TAccess : struct, IRegisterAccess<TAccess>
        => new PciCapability<TAccess>(config.At(at)).Next.Read() & 0xFCu;
}
