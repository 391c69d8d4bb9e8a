using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime.Vfio;
using Regs.Virtio;

namespace Regs.VfioGuest;

/// <summary>
/// What the guest proves: both drivers through VFIO (polling, MSI-X and INTx), talking to slirp
/// and to each other across QEMU's hub; a buffer outside every IOMMU mapping ending in a DMAR fault
/// and a driver error; every descriptor and mapping released; then the raw-pointer route.
/// Each check prints PASS or FAIL; an exception fails the check it happened in, not the run.
/// </summary>
internal static class Scenarios
{
    internal const uint IgbIp = SlirpNetwork.FirstGuest, VirtioIp = SlirpNetwork.FirstGuest + 1, GatewayIp = SlirpNetwork.Gateway;
    internal const ulong IgbMac = SlirpNetwork.FirstNicMacBits, VirtioMac = SlirpNetwork.FirstNicMacBits + (1ul << 40);   // QEMU's NIC 0 and 1
    internal const nuint DmaBytes = 4 << 20;

    public static void ThroughVfio(string igbBdf, string virtioBdf, VfioInterruptMode interrupts)
    {
        string mode = interrupts switch { VfioInterruptMode.None => "poll", VfioInterruptMode.Msix => "msix", _ => "intx" };
        bool interruptMode = interrupts != VfioInterruptMode.None;
        Guard($"vfio-{mode}", () =>
        {
            using var container = new VfioContainer();
            using VfioDevice igbDevice = container.OpenDevice(igbBdf);
            using VfioDevice virtioDevice = container.OpenDevice(virtioBdf);
            VfioHost igbHost = igbDevice.CreateHost("igb", DmaBytes, interrupts);
            VfioHost virtioHost = virtioDevice.CreateHost("virtio", DmaBytes, interrupts);

            NicStatus status = GuestNics.OpenIgb(igbHost, interruptMode, out var igb);
            Program.Check($"igb-init-{mode}", status != NicStatus.Ok ? $"status {status}" : igb.Mac.Bits != IgbMac ? $"MAC {igb.Mac}" : null);
            status = GuestNics.OpenVirtio(virtioHost, interruptMode, out var net);
            Program.Check($"virtio-init-{mode}", status != NicStatus.Ok ? $"status {status}"
                : net.Mac.Bits != VirtioMac ? $"MAC {net.Mac}"
                : (net.Features & VirtioNetFeatures.ACCESS_PLATFORM) == 0 ? "ACCESS_PLATFORM not negotiated under an IOMMU" : null);
            if (mode == "poll")
            {
                ulong igbEnd = igbHost.Dma.Whole.Device + igbHost.Dma.Whole.Length, virtioEnd = virtioHost.Dma.Whole.Device + virtioHost.Dma.Whole.Length;
                bool disjoint = igbEnd <= virtioHost.Dma.Whole.Device || virtioEnd <= igbHost.Dma.Whole.Device;
                Program.Check("iova-ranges-disjoint", disjoint ? null : $"igb {igbHost.Dma.Whole.Device:x}-{igbEnd:x} overlaps virtio {virtioHost.Dma.Whole.Device:x}-{virtioEnd:x}");
            }
            if (igb.LastError != NicStatus.Ok || net.LastError != NicStatus.Ok) return;

            Program.Check($"link-up-{mode}", GuestProbes.LinksUp(ref igb, ref net));
            Program.Check($"igb-slirp-{mode}", GuestProbes.Gateway(ref igb, IgbIp));
            Program.Check($"virtio-slirp-{mode}", GuestProbes.Gateway(ref net, VirtioIp));
            Program.Check($"igb-to-virtio-{mode}", GuestProbes.Peers(ref igb, IgbIp, ref net, VirtioIp));
            Program.Check($"virtio-to-igb-{mode}", GuestProbes.Peers(ref net, VirtioIp, ref igb, IgbIp));
            var traffic = GuestTraffic.Between(igb, net);
            Program.Check($"burst-{mode}", GuestTraffic.BurstEachWay(traffic, 200));
            if (!interruptMode)
            {
                // Reference throughput through VFIO under TCG (docs/performance.md): 1,000 frames of
                // 60-1,514 bytes, igb to virtio-net, batches of 32, polling, each checked on arrival.
                var clock = Stopwatch.StartNew();
                string? failure = GuestTraffic.Failure(() => traffic.Burst(0, 1000));
                clock.Stop();
                Program.Check("throughput-poll", failure);
                Program.Say($"throughput igb->virtio-net through VFIO (TCG): 1000 frames in {clock.Elapsed.TotalMilliseconds:F0} ms = {1000 / clock.Elapsed.TotalSeconds:F0} frames/s");
            }
            if (interruptMode)
            {
                Program.Check($"virtio-wakes-on-interrupt-{mode}", GuestTraffic.WakesOnInterrupt(traffic, sleeper: 1));
                Program.Check($"igb-wakes-on-interrupt-{mode}", GuestTraffic.WakesOnInterrupt(traffic, sleeper: 0));
            }
        });
    }

    /// <summary>
    /// The usual mistakes give a VfioException that says what to do: opening a function that is
    /// bound to no driver (not vfio-pci), and one that does not exist.
    /// </summary>
    public static void ClearErrors()
    {
        string? unbound = Directory.GetFileSystemEntries("/sys/bus/pci/devices").Select(Path.GetFileName)
            .FirstOrDefault(bdf => bdf is not null && Program.Link($"/sys/bus/pci/devices/{bdf}/driver") is null && Program.Link($"/sys/bus/pci/devices/{bdf}/iommu_group") is not null);
        Program.Check("error-not-bound-to-vfio-pci", unbound is null ? "no PCI function without a driver to try" : Expect(unbound, "driver_override", "drivers_probe"));
        Program.Check("error-no-such-device", Expect("0000:00:1e.7", "0000:00:1e.7"));
    }

    // Opening `bdf` must fail with a VfioException whose message names every one of `hints`.
    private static string? Expect(string bdf, params string[] hints)
    {
        try
        {
            using var container = new VfioContainer();
            using VfioDevice device = container.OpenDevice(bdf);
            return $"{bdf} opened without an error";
        }
        catch (VfioException e)
        {
            Program.Say($"error for {bdf}: {e.Message}");
            string[] missing = hints.Where(h => !e.Message.Contains(h, StringComparison.Ordinal)).ToArray();
            return missing.Length == 0 ? null : $"the message does not mention {string.Join(", ", missing)}: {e.Message}";
        }
    }

    /// <summary>virtio-net whose packet buffers lie outside every IOMMU mapping: a DMAR fault and a driver error.</summary>
    public static void DmaOutsideEveryMapping(string virtioBdf)
    {
        Guard("dmar", () =>
        {
            using var container = new VfioContainer();
            using VfioDevice device = container.OpenDevice(virtioBdf);
            var host = new FaultyDmaHost(device.CreateHost("virtio-faulty", DmaBytes));
            NicStatus status = GuestNics.OpenVirtio(host, interrupts: false, out var net);
            Program.Check("dmar-init", status == NicStatus.Ok ? null : $"status {status}");
            var batch = new FrameBatch(new byte[FrameBatch.SlotSize], new FrameEntry[1]);
            byte[] frame = new byte[60];
            EthernetFrames.ArpRequest(frame, net.Mac, VirtioIp, GatewayIp);
            batch.Add(frame);
            net.Send(batch);
            var clock = Stopwatch.StartNew();
            // The device reports the failed DMA (QEMU: DEVICE_NEEDS_RESET) or completes something impossible.
            while (Errors(net.Stats()) == 0 && clock.ElapsedMilliseconds < 5000)
            {
                net.WaitForReceive(50_000);
                net.Receive(ref batch);
            }
            Program.Check("dmar-driver-error", Errors(net.Stats()) > 0
                ? (net.LastError == NicStatus.DeviceError ? null : $"error counted but LastError {net.LastError}")
                : $"no error counted within {clock.ElapsedMilliseconds} ms (LastError {net.LastError})");
            string[] faults = DmarFaults();
            foreach (string line in faults.Take(4)) Program.Say("dmesg " + line.Trim());
            Program.Check("dmar-fault-logged", faults.Length > 0 ? null : "no DMAR fault in the kernel log");
        });
    }

    private static ulong Errors(NicStats stats) => stats.ProtocolErrors + stats.DeviceErrors;

    /// <summary>
    /// After every container, device and mapping was disposed: no descriptor of this process still
    /// refers to VFIO, an eventfd or a device file, and no VFIO region is mapped. (Counting
    /// /proc/self/fd alone is not enough: the runtime opens pipes of its own along the way, e.g.
    /// for the dmesg child process.)
    /// </summary>
    public static void EverythingReleased(int descriptorsBefore)
    {
        var open = new List<string>();
        foreach (string fd in Directory.GetFileSystemEntries("/proc/self/fd"))
        {
            string? target = new FileInfo(fd).LinkTarget;
            if (target is not null && (target.Contains("vfio", StringComparison.Ordinal) || target.Contains("eventfd", StringComparison.Ordinal)
                || target.StartsWith("/sys/", StringComparison.Ordinal) || target.StartsWith("/dev/hugepages", StringComparison.Ordinal)))
                open.Add($"{Path.GetFileName(fd)} -> {target}");
        }
        string[] vfioMaps = File.ReadAllLines("/proc/self/maps").Where(l => l.Contains("vfio", StringComparison.Ordinal)).ToArray();
        int descriptors = Directory.GetFileSystemEntries("/proc/self/fd").Length;
        Program.Say($"descriptors: {descriptorsBefore} before the VFIO checks, {descriptors} after, none of them VFIO, eventfd or sysfs: {open.Count == 0}");
        Program.Check("resources-released",
            NativeResources.OpenFileDescriptors != 0 ? $"{NativeResources.OpenFileDescriptors} descriptors still open"
            : NativeResources.Mappings != 0 ? $"{NativeResources.Mappings} mappings ({NativeResources.MappedBytes} bytes) still mapped"
            : open.Count != 0 ? $"still open: {string.Join(", ", open)}"
            : vfioMaps.Length != 0 ? $"/proc/self/maps still has {vfioMaps[0]}"
            : null);
    }

    /// <summary>The ixy route with the same drivers: BAR from sysfs, DMA to hugepages at physical addresses (iommu=pt).</summary>
    public static void RawRoute(string igbBdf, string virtioBdf)
    {
        Guard("raw", () =>
        {
            using var igbDma = new HugepageDma(DmaBytes);
            using var virtioDma = new HugepageDma(DmaBytes);
            using var igbDevice = new SysfsPciDevice(igbBdf);
            using var virtioDevice = new SysfsPciDevice(virtioBdf);
            RawPciHost igbHost = igbDevice.CreateHost("igb-raw", igbDma);
            RawPciHost virtioHost = virtioDevice.CreateHost("virtio-raw", virtioDma);
            NicStatus status = GuestNics.OpenIgb(igbHost, interrupts: false, out var igb);
            Program.Check("igb-init-raw", status != NicStatus.Ok ? $"status {status}" : igb.Mac.Bits != IgbMac ? $"MAC {igb.Mac}" : null);
            status = GuestNics.OpenVirtio(virtioHost, interrupts: false, out var net);
            Program.Check("virtio-init-raw", status != NicStatus.Ok ? $"status {status}" : net.Mac.Bits != VirtioMac ? $"MAC {net.Mac}" : null);
            if (igb.LastError != NicStatus.Ok || net.LastError != NicStatus.Ok) return;
            Program.Check("link-up-raw", GuestProbes.LinksUp(ref igb, ref net));
            Program.Check("igb-slirp-raw", GuestProbes.Gateway(ref igb, IgbIp));
            Program.Check("virtio-slirp-raw", GuestProbes.Gateway(ref net, VirtioIp));
            Program.Check("igb-to-virtio-raw", GuestProbes.Peers(ref igb, IgbIp, ref net, VirtioIp));
        });
    }

    internal static void Guard(string name, Action body)
    {
        try { body(); }
        catch (Exception e) { Program.Check(name, $"{e.GetType().Name}: {e.Message}"); }
    }

    /// <summary>The kernel log's DMAR fault lines (what /init counts with: dmesg | grep DMAR | grep -ci fault).</summary>
    internal static string[] DmarFaults()
        => Kernel("dmesg").Where(l => l.Contains("DMAR", StringComparison.Ordinal) && l.Contains("fault", StringComparison.OrdinalIgnoreCase)).ToArray();

    internal static string[] Kernel(string command)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit(5000);
        return output.Split('\n');
    }
}
