using System;
using System.Buffers.Binary;
using Regs.Runtime.Pci;
using Regs.Runtime.Qtest;

namespace Regs.Drivers.Tests.VhostUser;

/// <summary>
/// Reads one split virtqueue of a virtio-pci function as the device left it, from outside the
/// driver: its size and ring addresses from the common configuration (virtio 1.2 4.1.4.3, found
/// through the vendor capability of cfg_type 1, 4.1.4), the rings themselves from guest RAM
/// (2.7: available ring flags/idx/ring[]/used_event, used ring flags/idx/ring[]{id,len}/avail_event).
/// For measuring what a device implementation writes; the driver is not involved.
/// </summary>
public sealed class SplitRingView
{
    private readonly QemuMachine _machine;

    private SplitRingView(QemuMachine machine, uint size, ulong avail, ulong used)
    {
        _machine = machine;
        Size = size;
        AvailAddress = avail;
        UsedAddress = used;
    }

    /// <summary>Queue size.</summary>
    public uint Size { get; }
    /// <summary>Guest-physical address of the available (driver) ring.</summary>
    public ulong AvailAddress { get; }
    /// <summary>Guest-physical address of the used (device) ring.</summary>
    public ulong UsedAddress { get; }

    /// <summary>Queue <paramref name="queue"/> of NIC <paramref name="nic"/> (after the driver enabled it; selecting it does not disturb a running driver).</summary>
    public static SplitRingView Of(QemuMachine machine, int nic, ushort queue)
    {
        QtestPciFunction pci = machine.PciFunction(QemuMachine.SlotOf(machine.Options, nic));
        QtestAccess config = pci.Config;
        const uint VendorCapability = 0x09, CommonCfg = 1;   // cap_vndr and cfg_type of the common configuration (4.1.4)
        for (uint at = PciFunction.FindCapability(config, VendorCapability); at != 0; at = PciFunction.FindCapability(config, VendorCapability, at))
        {
            // 4.1.4: cfg_type at +3, bar at +4, offset at +8.
            if (config.Read8(at + 3) != CommonCfg) continue;
            int barIndex = config.Read8(at + 4);
            uint offset = config.Read32(at + 8);
            if (!pci.TryGetBar(barIndex, out PciBar bar)) throw new InvalidOperationException($"common configuration in BAR {barIndex}, which is not assigned");
            QtestAccess common = QtestAccess.Mmio(machine.Connection, bar.Address + offset);
            common.Write16(0x16, queue);                 // queue_select
            uint size = common.Read16(0x18);             // queue_size
            ulong avail = common.Read32(0x28) | (ulong)common.Read32(0x2C) << 32;   // queue_driver
            ulong used = common.Read32(0x30) | (ulong)common.Read32(0x34) << 32;    // queue_device
            return new SplitRingView(machine, size, avail, used);
        }
        throw new InvalidOperationException("no virtio-pci common configuration capability");
    }

    private ushort U16(ulong address) => BinaryPrimitives.ReadUInt16LittleEndian(_machine.Memory.Span(address, 2));
    private uint U32(ulong address) => BinaryPrimitives.ReadUInt32LittleEndian(_machine.Memory.Span(address, 4));

    /// <summary>avail->idx: chains the driver has made available so far (mod 2^16).</summary>
    public ushort AvailIdx => U16(AvailAddress + 2);
    /// <summary>avail->ring[position mod size]: the head the driver posted at that position.</summary>
    public ushort AvailHead(int position) => U16(AvailAddress + 4 + 2 * (ulong)(position & (int)(Size - 1)));
    /// <summary>used->flags (bit 0: VIRTQ_USED_F_NO_NOTIFY, 2.7.7).</summary>
    public ushort UsedFlags => U16(UsedAddress);
    /// <summary>used->idx: chains the device has returned so far (mod 2^16).</summary>
    public ushort UsedIdx => U16(UsedAddress + 2);
    /// <summary>used->ring[position mod size]: the head and length the device returned at that position.</summary>
    public (uint Id, uint Length) Used(int position)
    {
        ulong at = UsedAddress + 4 + 8 * (ulong)(position & (int)(Size - 1));
        return (U32(at), U32(at + 4));
    }
    /// <summary>avail_event (after used->ring[size]): with EVENT_IDX, the driver notifies when avail->idx passes it (2.7.10).</summary>
    public ushort AvailEvent => U16(UsedAddress + 4 + 8 * (ulong)Size);
}
