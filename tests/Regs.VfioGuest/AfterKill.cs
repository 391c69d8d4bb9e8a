using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Regs.Igb;
using Regs.Nic;
using Regs.Runtime;
using Regs.Runtime.Pci;
using Regs.Runtime.Vfio;

namespace Regs.VfioGuest;

/// <summary>
/// The run /init starts after killing two <see cref="TrafficStream"/> processes mid-traffic
/// (--after-kill LABEL --route vfio|raw --dmar-before N; see GuestImage.InitScript, kill_cycle).
/// First what the dead processes left behind: each function's PCI command register (bus master
/// on means the device may still DMA) and igb's receive unit before any driver touches it. Then
/// the same devices, opened afresh on the same route, must initialise and carry ARP and ICMP to
/// 10.0.2.2 and to each other and a burst each way exactly once; and the kernel must have logged
/// no DMAR fault since before the streams started (a device still writing into the dead
/// process's unmapped IOVAs would fault).
/// </summary>
internal static class AfterKill
{
    private const ushort BusMaster = 1 << 2;   // PCI 3.0 6.2.2, Command register bit 2

    public static void Run(string label, string route, string igbBdf, string virtioBdf, int dmarBefore)
    {
        bool vfio = route != "raw";
        var clock = Stopwatch.StartNew();
        ushort igbCommand = Command(igbBdf), virtioCommand = Command(virtioBdf);
        Program.Say($"{label}: left behind: command igb 0x{igbCommand:x4} virtio 0x{virtioCommand:x4} (bus master igb {On(igbCommand)}, virtio {On(virtioCommand)})");
        // vfio-pci's release clears bus mastering (vfio_pci_core_disable) before the IOMMU mappings go.
        if (vfio)
            Program.Check($"{label}-bus-master-off", ((igbCommand | virtioCommand) & BusMaster) == 0 ? null
                : $"bus master still on after the owner died: igb 0x{igbCommand:x4} virtio 0x{virtioCommand:x4}");

        Scenarios.Guard(label, () =>
        {
            if (vfio) ThroughVfio(label, igbBdf, virtioBdf);
            else Raw(label, igbBdf, virtioBdf);
        });

        string[] fresh = Scenarios.DmarFaults().Skip(dmarBefore).ToArray();
        foreach (string line in fresh.Take(6)) Program.Say("dmesg " + line.Trim());
        Program.Check($"{label}-no-dmar-fault", fresh.Length == 0 ? null : $"{fresh.Length} DMAR fault lines since the streams started");
        Program.Say($"{label}: fresh run {clock.ElapsedMilliseconds} ms");
    }

    private static void ThroughVfio(string label, string igbBdf, string virtioBdf)
    {
        using var container = new VfioContainer();
        using VfioDevice igbDevice = container.OpenDevice(igbBdf);
        using VfioDevice virtioDevice = container.OpenDevice(virtioBdf);
        Program.Say($"{label}: reopened through VFIO (VFIO_DEVICE_RESET igb {igbDevice.SupportsReset}, virtio {virtioDevice.SupportsReset}); command igb 0x{Command(igbBdf):x4} virtio 0x{Command(virtioBdf):x4}");
        ReceiveUnit(label, igbDevice.BarThroughFile(0));
        VfioHost igbHost = igbDevice.CreateHost($"{label}-igb", Scenarios.DmaBytes, VfioInterruptMode.Msix);
        VfioHost virtioHost = virtioDevice.CreateHost($"{label}-virtio", Scenarios.DmaBytes, VfioInterruptMode.Msix);
        Converse(label, igbHost, virtioHost, interrupts: true);
    }

    private static void Raw(string label, string igbBdf, string virtioBdf)
    {
        using var igbDevice = new SysfsPciDevice(igbBdf);
        using var virtioDevice = new SysfsPciDevice(virtioBdf);
        Program.Say($"{label}: reopened through sysfs; command igb 0x{Command(igbBdf):x4} virtio 0x{Command(virtioBdf):x4}");
        Program.Check($"{label}-bus-master-off-on-open", ((Command(igbBdf) | Command(virtioBdf)) & BusMaster) == 0 ? null : "SysfsPciDevice left bus mastering on");
        if (igbDevice.TryMapBar(0, out var bar, out _)) ReceiveUnit(label, bar);
        using var igbDma = new HugepageDma(Scenarios.DmaBytes);
        using var virtioDma = new HugepageDma(Scenarios.DmaBytes);
        Converse(label, igbDevice.CreateHost($"{label}-igb", igbDma), virtioDevice.CreateHost($"{label}-virtio", virtioDma), interrupts: false);
    }

    private static void Converse<THost>(string label, THost igbHost, THost virtioHost, bool interrupts) where THost : struct, IDriverHost, IPciHost<UserspaceAccess>
    {
        NicStatus igbStatus = GuestNics.OpenIgb(igbHost, interrupts, out var igb);
        NicStatus virtioStatus = GuestNics.OpenVirtio(virtioHost, interrupts, out var net);
        Program.Check($"{label}-init", igbStatus == NicStatus.Ok && virtioStatus == NicStatus.Ok ? null : $"igb {igbStatus}, virtio {virtioStatus}");
        if (igbStatus != NicStatus.Ok || virtioStatus != NicStatus.Ok) return;
        Program.Check($"{label}-link", GuestProbes.LinksUp(ref igb, ref net));
        string? igbGateway = GuestProbes.Gateway(ref igb, Scenarios.IgbIp), virtioGateway = GuestProbes.Gateway(ref net, Scenarios.VirtioIp);
        Program.Check($"{label}-slirp", igbGateway is not null ? "igb: " + igbGateway : virtioGateway is not null ? "virtio: " + virtioGateway : null);
        Program.Check($"{label}-nic-to-nic", GuestProbes.Peers(ref igb, Scenarios.IgbIp, ref net, Scenarios.VirtioIp));
        Program.Check($"{label}-burst", GuestTraffic.BurstEachWay(GuestTraffic.Between(igb, net), 200));
    }

    // igb's receive queue 0 as the dead process left it (datasheet 8.10): enabled, where the head
    // is, and the packets counted since the last read (GPRC is read-to-clear, and the driver
    // clears the statistics at initialisation anyway).
    private static void ReceiveUnit(string label, UserspaceAccess bar0)
    {
        var regs = new Igb<UserspaceAccess>(bar0);
        Program.Say($"{label}: igb receive unit before initialisation: RCTL.EN {regs.RCTL.Read().EN}, RDH {regs.RxQueue(0).RDH.Read().Bits}, RDT {regs.RxQueue(0).RDT.Read().Bits}, GPRC {regs.GPRC.ReadAndClear().Bits}");
    }

    // The Command register from sysfs (the first 64 bytes of config space are readable without a driver).
    private static ushort Command(string bdf)
    {
        try
        {
            byte[] config = File.ReadAllBytes($"/sys/bus/pci/devices/{bdf}/config");
            return config.Length >= 6 ? (ushort)(config[4] | config[5] << 8) : (ushort)0xFFFF;
        }
        catch (IOException) { return 0xFFFF; }
    }

    private static string On(ushort command) => (command & BusMaster) != 0 ? "on" : "off";
}
