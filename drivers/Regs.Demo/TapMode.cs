using System;
using System.CommandLine;
using System.Runtime.InteropServices;
using System.Threading;
using Regs.Drivers.Igb;
using Regs.Drivers.Virtio;
using Regs.Nic;
using Regs.Probes;
using Regs.Runtime;
using Regs.Runtime.Hosted;
using Regs.Runtime.Hosted.Tap;
using Regs.Runtime.Models;
using Regs.Runtime.Models.Igb;
using Regs.Runtime.Models.Virtio;
using Regs.Runtime.Pci;
using Regs.Runtime.Vfio;
using Regs.Tap;
using Regs.Virtio;

namespace Regs.Demo;

/// <summary>
/// <c>regs-demo tap</c>: one NIC, driven by its Regs driver, as a Linux TAP interface the kernel's
/// stack uses like any other (DHCP, ping, TCP), until SIGTERM or SIGINT. Prints one line when the
/// interface is ready:
/// <c>tap NAME up|down mac=MAC mtu=MTU offloads=LIST nic=igb|virtio-net device=DEVICE mode=polling|interrupts</c>,
/// and at exit <c>tap NAME stopped: COUNTERS</c> and the NIC's counters.
/// </summary>
internal static class TapMode
{
    private const uint DmaBytes = 4 << 20, LinkTimeout = 3_000_000;

    public static Command Create()
    {
        var backend = new Option<string>("--backend")
        {
            Description = "vfio = a real NIC (or a VM's) bound to vfio-pci (or, with --route raw, reached through sysfs and hugepages), named with --device; "
                + "model = the in-process igb (or, with --device virtio, virtio-net-pci) model cabled to a model of slirp's gateway 10.0.2.2, which answers ARP and ping",
            DefaultValueFactory = _ => "vfio",
        };
        backend.AcceptOnlyFromAmong("vfio", "model");
        var device = new Option<string>("--device")
        {
            Description = "vfio: the PCI address (BDF, e.g. 0000:00:02.0) of an 82576 or a modern virtio-net-pci; model: igb (default) or virtio",
            HelpName = "BDF",
        };
        var route = new Option<string>("--route")
        {
            Description = "vfio backend: vfio = through vfio-pci and the IOMMU (interrupts available); raw = BAR from sysfs, DMA to hugepages at physical addresses (iommu=pt or no IOMMU; polling only)",
            DefaultValueFactory = _ => "vfio",
        };
        route.AcceptOnlyFromAmong("vfio", "raw");
        var name = new Option<string>("--name") { Description = "The interface's name (at most 15 bytes); default: the kernel picks tapN", HelpName = "IFNAME" };
        var interrupts = new Option<bool>("--interrupts") { Description = "Sleep on the NIC's interrupt (MSI-X through VFIO) when idle instead of polling" };
        var offloads = new Option<string>("--offloads")
        {
            Description = "Offloads to ask of the NIC: none (default), all (what the driver can do), or a comma list of tx-checksum, tso (tso4 and tso6), tso4, tso6, ecn, rx-checksum, rx-coalescing; "
                + "the NIC turns on those its device has (the ready line's offloads= says which), and the TAP interface is told to hand those over unfinished",
            DefaultValueFactory = _ => "none",
            HelpName = "LIST",
        };
        var up = new Option<bool>("--up") { Description = "Bring the interface up (otherwise: ip link set IFNAME up)" };
        var verbose = new Option<bool>("--verbose") { Description = "Log what the driver does" };
        var command = new Command("tap",
            "Expose one NIC, driven by its Regs driver, as a Linux TAP interface (/dev/net/tun, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR) "
            + "with the NIC's MAC address, an MTU of its longest frame less 18, and the checksum and segmentation offloads the NIC has (none: the kernel "
            + "then hands over checksummed, unsegmented frames). Frames move in batches both ways until SIGTERM or SIGINT. Needs root (CAP_NET_ADMIN). "
            + "Prints 'tap NAME up|down mac=MAC mtu=MTU offloads=LIST nic=igb|virtio-net device=DEVICE mode=polling|interrupts' when ready "
            + "and 'tap NAME stopped: COUNTERS' at exit.")
        {
            backend, device, route, name, interrupts, offloads, up, verbose,
        };
        command.SetAction(parse =>
        {
            ConsoleLog.Enabled = parse.GetValue(verbose);
            bool interruptMode = parse.GetValue(interrupts), bringUp = parse.GetValue(up);
            string? ifname = parse.GetValue(name);
            if (!TryParseOffloads(parse.GetValue(offloads) ?? "none", out NicOffloads asked, out string? bad))
                return Program.Usage($"--offloads: {bad} is none of none, all, tx-checksum, tso, tso4, tso6, ecn, rx-checksum, rx-coalescing");
            try
            {
                return parse.GetValue(backend) == "model"
                    ? RunModel(parse.GetValue(device) ?? "igb", ifname, interruptMode, bringUp, asked)
                    : RunVfio(parse.GetValue(device), parse.GetValue(route) ?? "vfio", ifname, interruptMode, bringUp, asked);
            }
            catch (Exception e) when (e is VfioException or TapException or ArgumentException)
            {
                Console.Error.WriteLine($"regs demo tap: {e.Message}");
                return Program.Unavailable;
            }
        });
        return command;
    }

    /// <summary>
    /// The offloads named in <paramref name="text"/>: <c>none</c>, <c>all</c> (every offload either
    /// driver knows; each driver turns on what it and its device can) or a comma list.
    /// </summary>
    internal static bool TryParseOffloads(string text, out NicOffloads offloads, out string? bad)
    {
        offloads = NicOffloads.None;
        bad = null;
        foreach (string raw in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            NicOffloads? one = raw switch
            {
                "none" => NicOffloads.None,
                "all" => NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4 | NicOffloads.TxTcpSegmentationV6 | NicOffloads.TxTcpEcn
                    | NicOffloads.RxChecksum | NicOffloads.RxTcpCoalescingV4 | NicOffloads.RxTcpCoalescingV6 | NicOffloads.RxTcpEcn,
                "tx-checksum" or "tx-csum" => NicOffloads.TxChecksum,
                "tso" => NicOffloads.TxTcpSegmentationV4 | NicOffloads.TxTcpSegmentationV6,
                "tso4" => NicOffloads.TxTcpSegmentationV4,
                "tso6" => NicOffloads.TxTcpSegmentationV6,
                "ecn" => NicOffloads.TxTcpEcn | NicOffloads.RxTcpEcn,
                "rx-checksum" or "rx-csum" => NicOffloads.RxChecksum,
                "rx-coalescing" or "lro" => NicOffloads.RxTcpCoalescingV4 | NicOffloads.RxTcpCoalescingV6,
                _ => null,
            };
            if (one is not { } known)
            {
                bad = raw;
                return false;
            }
            offloads |= known;
        }
        return true;
    }

    private static int RunVfio(string? bdf, string route, string? name, bool interrupts, bool up, NicOffloads offloads)
    {
        if (string.IsNullOrEmpty(bdf)) return Program.Usage("tap --backend vfio needs --device BDF (an 82576 or a modern virtio-net-pci)");
        if (route == "raw")
        {
            if (interrupts) return Program.Usage("--route raw has no interrupt delivery: leave out --interrupts");
            using var raw = new SysfsPciDevice(bdf);
            using var dma = new HugepageDma(DmaBytes);
            RawPciHost rawHost = raw.CreateHost($"tap-{bdf}", dma);
            return Open<RawPciHost>(rawHost, bdf, name, false, up, offloads, Array.Empty<int>());
        }
        using var container = new VfioContainer();
        using VfioDevice device = container.OpenDevice(bdf);
        VfioHost host = device.CreateHost($"tap-{bdf}", DmaBytes, interrupts ? VfioInterruptMode.Msix : VfioInterruptMode.None);
        // Interrupt mode sleeps in one poll() on the tap and these MSI-X eventfds (read-only here).
        return Open<VfioHost>(host, bdf, name, interrupts, up, offloads, host.InterruptFileDescriptors.ToArray());
    }

    // The NIC behind `host`, told apart by PCI ID, opened with its driver and bridged.
    private static int Open<THost>(THost host, string bdf, string? name, bool interrupts, bool up, NicOffloads offloads, int[] interruptFds)
        where THost : struct, IDriverHost, IPciHost<UserspaceAccess>
    {
        var header = new PciConfig<UserspaceAccess>(host.ConfigSpace());
        uint id = (uint)header.VendorID.Read() << 16 | header.DeviceID.Read();
        if (id == (Regs.Igb.Igb.VendorId << 16 | Regs.Igb.Igb.DeviceId82576))
            return OpenIgb<UserspaceAccess, THost>(host, "igb", bdf, name, interrupts, up, offloads, interruptFds);
        if (id == (VirtioPciCap.VendorId << 16 | (VirtioPciCap.ModernDeviceIdBase + (uint)VirtioDeviceType.Network)))
            return OpenVirtio<UserspaceAccess, THost>(host, "virtio-net", bdf, name, interrupts, up, offloads, interruptFds);
        return Program.Usage($"{bdf} is {id >> 16:x4}:{id & 0xFFFF:x4}, neither an 82576 (8086:10c9) nor a modern virtio-net-pci (1af4:1041)");
    }

    private static int RunModel(string kind, string? name, bool interrupts, bool up, NicOffloads offloads)
    {
        if (kind is not ("igb" or "virtio")) return Program.Usage($"tap --backend model takes --device igb or --device virtio, not {kind}");
        Span<byte> mac = stackalloc byte[6];
        (kind == "igb" ? Stations.IgbMac : Stations.VirtioMac).CopyTo(mac);
        var network = new ModelNetwork();
        using DeviceModel model = kind == "igb"
            ? new IgbModel(network, mac.ToArray(), 0x4000_0000, 8 << 20)
            : new VirtioPciModel(network, mac.ToArray(), dmaDeviceAddress: 0x4000_0000, dmaBytes: 8 << 20);
        using var gateway = new GatewayModel(network);
        network.Connect(model, gateway);
        var host = new ModelHost(model, kind);
        // The model's interrupt eventfd stands for VFIO's: interrupt mode polls it with the tap.
        int[] interruptFds = interrupts ? new[] { model.InterruptEventDescriptor } : Array.Empty<int>();
        return kind == "igb"
            ? OpenIgb<ModelAccess, ModelHost>(host, "igb", "model", name, interrupts, up, offloads, interruptFds)
            : OpenVirtio<ModelAccess, ModelHost>(host, "virtio-net", "model", name, interrupts, up, offloads, interruptFds);
    }

    private static int OpenIgb<TAccess, THost>(THost host, string nicName, string device, string? name, bool interrupts, bool up, NicOffloads offloads, int[] interruptFds)
        where TAccess : struct, IRegisterAccess<TAccess>
        where THost : struct, IDriverHost, IPciHost<TAccess>
    {
        NicStatus status = IgbNic<TAccess, THost>.Initialise(host, new IgbOptions { InterruptMode = interrupts, Offloads = offloads & IgbOptions.SupportedOffloads }, out var igb);
        if (status != NicStatus.Ok) return NotInitialised(nicName, status);
        return Serve(ref igb, nicName, device, name, interrupts, up, interruptFds);
    }

    private static int OpenVirtio<TAccess, THost>(THost host, string nicName, string device, string? name, bool interrupts, bool up, NicOffloads offloads, int[] interruptFds)
        where TAccess : struct, IRegisterAccess<TAccess>
        where THost : struct, IDriverHost, IPciHost<TAccess>
    {
        NicStatus status = VirtioPciTransport<TAccess>.TryOpen(ref host, VirtioDeviceType.Network, out var transport);
        VirtioNet<TAccess, VirtioPciTransport<TAccess>, THost> net = default;
        if (status == NicStatus.Ok)
            status = VirtioNet<TAccess, VirtioPciTransport<TAccess>, THost>.Initialise(transport, host, new VirtioNetOptions { InterruptMode = interrupts, Offloads = offloads }, out net);
        if (status != NicStatus.Ok) return NotInitialised(nicName, status);
        return Serve(ref net, nicName, device, name, interrupts, up, interruptFds);
    }

    private static int NotInitialised(string nic, NicStatus status)
    {
        Console.Error.WriteLine($"regs demo tap: {nic} did not initialise: {status}");
        return Program.ExchangeFailed;
    }

    private static int Serve<TNic>(ref TNic nic, string nicName, string device, string? name, bool interrupts, bool up, int[] interruptFds) where TNic : struct, INic
    {
        // The link first, so the kernel's first DHCP discover is not sent into a link still training.
        if (!LinkProbe.WaitForUp<TNic, MonotonicClock>(ref nic, LinkTimeout))
            Console.Error.WriteLine($"regs demo tap: {nicName} link still down after {LinkTimeout / 1000} ms; bridging anyway");
        using TapInterface tap = NicTapBridge<TNic>.OpenTap(ref nic, name, up);
        var bridge = new NicTapBridge<TNic>(nic, tap, new TapBridgeOptions { Interrupts = interrupts, InterruptDescriptors = interrupts ? interruptFds : Array.Empty<int>() });
        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        Console.WriteLine($"tap {tap.Name} {(up ? "up" : "down")} mac={nic.Mac} mtu={tap.Mtu} offloads={TapOffloadMapping.Describe(nic.Offloads)} "
            + $"nic={nicName} device={device} mode={(interrupts ? "interrupts" : "polling")}");
        Console.Out.Flush();
        bridge.Run(stop.Token);
        Console.WriteLine($"tap {tap.Name} stopped{(bridge.InterfaceGone ? " (the interface went away)" : "")}: {bridge.Counters}");
        NicStats s = bridge.Nic.Stats();
        Console.WriteLine($"tap {tap.Name} nic counters: tx frames={s.TxFrames} bytes={s.TxBytes} rejected={s.TxRejected} rx frames={s.RxFrames} bytes={s.RxBytes} "
            + $"missed={s.RxMissed} interrupts={s.Interrupts} protocol-errors={s.ProtocolErrors} recoveries={s.Recoveries} last-error={bridge.Nic.LastError}");
        return Program.Succeeded;
    }
}
