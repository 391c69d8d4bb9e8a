using System;
using Regs.Runtime.Pci;
using Regs.Runtime.BareMetal.Acpi;
using Regs.Runtime.BareMetal.Uefi;

namespace Regs.Runtime.BareMetal.Pci;

/// <summary>
/// PCI configuration space through one ECAM region (PCIe 6.0 section 7.2.2): the 4 KiB space of
/// bus b, device d, function f is at base + (b &lt;&lt; 20 | d &lt;&lt; 15 | f &lt;&lt; 12). Enumeration
/// probes every bus of the region, every device 0-31, and functions 1-7 only of multi-function
/// devices (HeaderType bit 7, PCI 3.0 section 6.2.1); VendorID 0xFFFF means absent. The firmware has
/// assigned buses and BARs already; this only reads. Use it in foreach, or with <see cref="TryFind"/>.
/// </summary>
public readonly unsafe struct EcamPciBus
{
    /// <summary>Devices per bus.</summary>
    public const uint DevicesPerBus = 32;
    /// <summary>Functions per device.</summary>
    public const uint FunctionsPerDevice = 8;

    private readonly EcamRegion _region;

    /// <summary>Configuration space of <paramref name="region"/>'s buses.</summary>
    public EcamPciBus(EcamRegion region) { _region = region; }

    /// <summary>The region.</summary>
    public EcamRegion Region => _region;

    /// <summary>
    /// The ECAM region of segment 0 bus 0 from the ACPI MCFG table (found through the UEFI
    /// configuration table; q35 gives 0xB0000000, buses 0-255). False when there is none.
    /// </summary>
    public static bool TryOpenFromAcpi(out EcamPciBus bus)
    {
        bool found = McfgTable.TryFindRegion(0, 0, out EcamRegion region);
        bus = new EcamPciBus(region);
        return found;
    }

    /// <summary>
    /// The same region with enumeration limited to buses up to <paramref name="lastBus"/> (q35
    /// puts everything on bus 0 unless bridges are added; probing 256 buses costs 8192 reads).
    /// </summary>
    public EcamPciBus LimitedTo(byte lastBus)
    {
        byte end = lastBus < _region.EndBus ? lastBus : _region.EndBus;
        return new EcamPciBus(new EcamRegion(_region.BaseAddress, _region.Segment, _region.StartBus, end));
    }

    /// <summary>The configuration space address of bus/device/function, null when outside the region or the numbers are out of range.</summary>
    public byte* ConfigAddress(uint bus, uint device, uint function)
    {
        if (_region.IsEmpty || bus < _region.StartBus || bus > _region.EndBus) return null;
        if (device >= DevicesPerBus || function >= FunctionsPerDevice) return null;
        return (byte*)(nuint)(_region.BaseAddress + (bus << 20 | device << 15 | function << 12));
    }

    /// <summary>The function at bus/device/function; false when the address is outside the region or nothing answers.</summary>
    public bool TryGetFunction(uint bus, uint device, uint function, out EcamFunction found)
    {
        found = default;
        byte* config = ConfigAddress(bus, device, function);
        if (config == null) return false;
        if (new PciConfig<MmioPointer<TscClock>>(new MmioPointer<TscClock>(config)).VendorID.Read().Bits == PciConfig.NoVendor) return false;
        found = new EcamFunction(config, _region.Segment, (byte)bus, (byte)device, (byte)function);
        return true;
    }

    /// <summary>The <paramref name="instance"/>th (from 0, in bus/device/function order) function with this vendor and device ID.</summary>
    public bool TryFind(ushort vendorId, ushort deviceId, uint instance, out EcamFunction found)
    {
        uint seen = 0;
        foreach (EcamFunction function in this)
        {
            if (function.VendorId != vendorId || function.DeviceId != deviceId) continue;
            if (seen++ == instance) { found = function; return true; }
        }
        found = default;
        return false;
    }

    /// <summary>Every present function, in bus/device/function order.</summary>
    public EcamEnumerator GetEnumerator() => new(this);

    /// <summary>Writes one console line per function: "pci SSSS:BB:DD.F vvvv:dddd class cccccc".</summary>
    public void LogFunctions()
    {
        Span<byte> buffer = stackalloc byte[64];
        foreach (EcamFunction f in this)
        {
            var line = new LogLine(buffer);
            line.Add("pci "u8);
            line.HexDigits(f.Segment, 4); line.Add(":"u8);
            line.HexDigits(f.Bus, 2); line.Add(":"u8);
            line.HexDigits(f.Device, 2); line.Add("."u8);
            line.HexDigits(f.Function, 1); line.Add(" "u8);
            line.HexDigits(f.VendorId, 4); line.Add(":"u8);
            line.HexDigits(f.DeviceId, 4); line.Add(" class "u8);
            line.HexDigits(f.ClassCode, 6);
            UefiConsole.WriteLine(line.Text);
        }
    }
}
