using System;
using System.Collections.Generic;
using Regs.Drivers.Virtio;
using Regs.Runtime.Pci;
using Regs.Runtime.Vfio;
using Regs.Virtio;

namespace Regs.Demo;

/// <summary>
/// --backend vfio: one igb and/or one virtio-net-pci through Linux VFIO, told apart by PCI ID.
/// With both, they exchange frames with each other (cable them together); --gateway also talks to
/// 10.0.2.2, which is QEMU's slirp in a guest.
/// </summary>
internal static class VfioBackend
{
    private const uint DmaBytes = 4 << 20;

    public static int Run(IReadOnlyList<string> devices, bool interrupts, bool gateway)
    {
        if (devices.Count is 0 or > 2) return Program.Usage("--backend vfio needs one or two --device BDF (an 82576 and/or a virtio-net-pci)");
        using var container = new VfioContainer();
        var opened = new List<VfioDevice>();
        try
        {
            VfioHost? igbHost = null, virtioHost = null;
            foreach (string bdf in devices)
            {
                VfioDevice device = container.OpenDevice(bdf);
                opened.Add(device);
                var header = new PciConfig<UserspaceAccess>(device.ConfigSpace());
                uint id = (uint)header.VendorID.Read() << 16 | header.DeviceID.Read();
                VfioHost host = device.CreateHost(bdf, DmaBytes, interrupts ? VfioInterruptMode.Msix : VfioInterruptMode.None);
                if (id == (Regs.Igb.Igb.VendorId << 16 | Regs.Igb.Igb.DeviceId82576)) igbHost = host;
                else if (id == (VirtioPciCap.VendorId << 16 | (VirtioPciCap.ModernDeviceIdBase + (uint)VirtioDeviceType.Network))) virtioHost = host;
                else return Program.Usage($"{bdf} is {id >> 16:x4}:{id & 0xFFFF:x4}, neither an 82576 (8086:10c9) nor a modern virtio-net-pci (1af4:1041)");
            }
            Console.WriteLine($"Regs demo: VFIO ({string.Join(", ", devices)}), {(interrupts ? "MSI-X interrupt" : "polling")} mode");
            return Conversation.Run<UserspaceAccess, VfioHost>(igbHost, virtioHost, interrupts, gateway,
                () => $"{NativeResources.OpenFileDescriptors} VFIO descriptors open, {NativeResources.Mappings} mappings (direct MMIO through mmapped BARs is not counted)");
        }
        finally
        {
            foreach (var device in opened) device.Dispose();
        }
    }
}
