using Regs.Runtime.Pci;

namespace Regs.Runtime.BareMetal.Pci;

/// <summary>
/// A PCI function found through ECAM: where it is, what it is, and its configuration space as a
/// raw-pointer backend (its 4 KiB window in the ECAM region, PCIe 6.0 section 7.2.2).
/// </summary>
public readonly unsafe struct EcamFunction
{
    /// <summary>The function's configuration space in the ECAM window.</summary>
    public readonly byte* Config;
    /// <summary>PCI segment group.</summary>
    public readonly ushort Segment;
    /// <summary>Bus number.</summary>
    public readonly byte Bus;
    /// <summary>Device number (0-31).</summary>
    public readonly byte Device;
    /// <summary>Function number (0-7).</summary>
    public readonly byte Function;
    /// <summary>Vendor ID (PCI 3.0 section 6.2.1).</summary>
    public readonly ushort VendorId;
    /// <summary>Device ID.</summary>
    public readonly ushort DeviceId;
    /// <summary>Base class, sub-class and programming interface as 0xBBSSPP.</summary>
    public readonly uint ClassCode;
    /// <summary>Header layout (HeaderType bits 6:0): 0 for a device, 1 for a PCI-to-PCI bridge.</summary>
    public readonly byte HeaderLayout;

    /// <summary>The function at <paramref name="config"/>, reading its identity from the header.</summary>
    public EcamFunction(byte* config, ushort segment, byte bus, byte device, byte function)
    {
        Config = config;
        Segment = segment;
        Bus = bus;
        Device = device;
        Function = function;
        var header = new PciConfig<MmioPointer<TscClock>>(new MmioPointer<TscClock>(config));
        VendorId = header.VendorID.Read().Bits;
        DeviceId = header.DeviceID.Read().Bits;
        ClassCode = (uint)header.BaseClass.Read().Bits << 16 | (uint)header.SubClass.Read().Bits << 8 | header.ProgIf.Read().Bits;
        HeaderLayout = (byte)header.HeaderType.Read().Layout;
    }

    /// <summary>True for the empty value (nothing found).</summary>
    public bool IsEmpty => Config == null;

    /// <summary>The configuration space as a register backend.</summary>
    public MmioPointer<TscClock> ConfigSpace => new(Config);

    /// <summary>
    /// The address firmware assigned to memory BAR <paramref name="index"/> (through
    /// <see cref="PciFunction.TryReadMemoryBar"/>); identity mapping makes it a pointer.
    /// </summary>
    public bool TryGetMemoryBar(uint index, out ulong address)
    {
        address = 0;
        return Config != null && PciFunction.TryReadMemoryBar(ConfigSpace, index, out address);
    }
}
