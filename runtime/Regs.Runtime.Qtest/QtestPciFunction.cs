using System.Collections.Generic;

namespace Regs.Runtime.Qtest;

/// <summary>A PCI function on bus 0 of a q35 machine, with its BARs assigned and its INTx routing.</summary>
public sealed class QtestPciFunction
{
    /// <summary>Describes bus 0 <paramref name="device"/>/<paramref name="function"/>; the machine builds these.</summary>
    public QtestPciFunction(int device, int function, QtestAccess config, ushort vendorId, ushort deviceId, int interruptPin, int gsi, IReadOnlyList<PciBar> bars)
    {
        Device = device;
        Function = function;
        Config = config;
        VendorId = vendorId;
        DeviceId = deviceId;
        InterruptPin = interruptPin;
        Gsi = gsi;
        Bars = bars;
    }

    /// <summary>The device (slot) number on bus 0.</summary>
    public int Device { get; }
    /// <summary>The function number.</summary>
    public int Function { get; }
    /// <summary>Configuration space (through ports 0xCF8/0xCFC).</summary>
    public QtestAccess Config { get; }
    /// <summary>PCI vendor ID.</summary>
    public ushort VendorId { get; }
    /// <summary>PCI device ID.</summary>
    public ushort DeviceId { get; }
    /// <summary>INTA..INTD as 1..4, 0 for none (configuration offset 0x3D).</summary>
    public int InterruptPin { get; }
    /// <summary>The IOAPIC input (GSI) the function's INTx pin reaches, -1 when unknown or none.</summary>
    public int Gsi { get; }
    /// <summary>The BARs present, by index.</summary>
    public IReadOnlyList<PciBar> Bars { get; }

    /// <summary>The BAR with <paramref name="index"/>, if present.</summary>
    public bool TryGetBar(int index, out PciBar bar)
    {
        foreach (var b in Bars)
        {
            if (b.Index == index) { bar = b; return true; }
        }
        bar = default;
        return false;
    }

    /// <summary>
    /// The GSI q35 routes bus 0 <paramref name="device"/>'s <paramref name="pin"/> (1 = INTA) to, without
    /// firmware: ICH9 maps slots 0-24 to PIRQ[E-H] by (slot + pin - 1) mod 4 (ich9_cc_init in
    /// hw/isa/lpc_ich9.c) and PIRQ n drives IOAPIC input 16 + n whatever the PIRQ routing registers
    /// say (ich9_lpc_set_irq). So GSI = 20 + (slot + pin - 1) mod 4. Slots 25-31 follow the
    /// chipset's DxxIR registers instead and are not computed here (-1).
    /// </summary>
    public static int Q35Gsi(int device, int pin)
        => pin is < 1 or > 4 || device is < 0 or > 24 ? -1 : 20 + (device + pin - 1) % 4;
}
