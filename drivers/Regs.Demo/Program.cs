using System;
using Regs.Drivers.Igb;
using Regs.Drivers.Virtio;
using Regs.Nic;
using Regs.Runtime;
using Regs.Runtime.Hosted;
using Regs.Runtime.Models;
using Regs.Runtime.Models.Igb;
using Regs.Runtime.Models.Virtio;
using Regs.Runtime.Pci;
using Regs.Runtime.Qtest;
using Regs.Runtime.Vfio;
using Regs.Virtio;

namespace Regs.Demo;

/// <summary>
/// Brings up an igb (82576) and a virtio-net-pci NIC with the Regs drivers, wired to each other,
/// and has them exchange ARP and ICMP echo: on the in-process device models by default, or on
/// QEMU's own device models (--backend qemu), where both also talk to slirp's gateway 10.0.2.2.
/// </summary>
public static class Program
{
    private const uint IgbIp = 0x0A00020F;       // 10.0.2.15
    private const uint VirtioIp = 0x0A000210;    // 10.0.2.16
    private const uint GatewayIp = 0x0A000202;   // 10.0.2.2
    private static readonly byte[] IgbMac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    private static readonly byte[] VirtioMac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };

    /// <summary>Entry point: 0 when every exchange succeeded, 1 when one failed, 2 for usage or a missing QEMU.</summary>
    public static int Main(string[] args)
    {
        string backend = "model";
        bool interrupts = false, gateway = false;
        var devices = new System.Collections.Generic.List<string>();
        ConsoleLog.Enabled = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--backend" when i + 1 < args.Length: backend = args[++i]; break;
                case "--interrupts": interrupts = true; break;
                case "--verbose": ConsoleLog.Enabled = true; break;
                case "--device" when i + 1 < args.Length: devices.Add(args[++i]); break;
                case "--gateway": gateway = true; break;
                default:
                    Console.Error.WriteLine("usage: Regs.Demo [--backend model|qemu|vfio] [--device BDF]... [--gateway] [--interrupts] [--verbose]");
                    return 2;
            }
        }
        try
        {
            return backend switch
            {
                "model" => RunOnModels(interrupts),
                "qemu" => RunOnQemu(interrupts),
                "vfio" => RunOnVfio(devices, interrupts, gateway),
                _ => Usage($"unknown backend '{backend}' (model or qemu)"),
            };
        }
        catch (QemuUnavailableException e)
        {
            Console.Error.WriteLine($"regs demo: {e.Message}");
            return 2;
        }
        catch (VfioException e)
        {
            Console.Error.WriteLine($"regs demo: {e.Message}");
            return 2;
        }
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"regs demo: {message}");
        return 2;
    }

    private static int RunOnModels(bool interrupts)
    {
        Console.WriteLine($"Regs demo: in-process device models (igb 82576 and virtio-net-pci), back to back, {(interrupts ? "interrupt" : "polling")} mode");
        var network = new ModelNetwork();
        using var igb = new IgbModel(network, IgbMac, 0x4000_0000, 8 << 20);
        using var virtio = new VirtioPciModel(network, VirtioMac, dmaDeviceAddress: 0x8000_0000, dmaBytes: 8 << 20);
        network.Connect(igb, virtio);
        return Run<ModelAccess, ModelHost>(new ModelHost(igb, "igb"), new ModelHost(virtio, "virtio-net"), interrupts, gateway: false,
            () => $"igb BAR0 {igb.Registers.Reads} reads, {igb.Registers.Writes} writes; config {igb.Config.Reads + igb.Config.Writes} accesses | " +
                  $"virtio-net BAR4 {virtio.Bar4Region.Reads} reads, {virtio.Bar4Region.Writes} writes; config {virtio.Config.Reads + virtio.Config.Writes} accesses | " +
                  $"DMA faults {igb.DmaFaults + virtio.DmaFaults}");
    }

    private static int RunOnQemu(bool interrupts)
    {
        var options = new QemuOptions
        {
            Name = "demo",
            Nics = new[]
            {
                new QemuNic(QemuNicModel.Igb, "52:54:00:12:34:56") { Slot = 2, Netdev = QemuNetdevKind.Hub },
                new QemuNic(QemuNicModel.VirtioNetPci, "52:54:00:12:34:57") { Slot = 3, Netdev = QemuNetdevKind.Hub },
            },
            GatewayOnHubs = new[] { 0 },
        };
        using var machine = new QemuMachine(options);
        Console.WriteLine($"Regs demo: QEMU {machine.Version} device models through qtest (q35; igb and virtio-net-pci on one hub with slirp), {(interrupts ? "interrupt" : "polling")} mode, started in {machine.StartupTime.TotalMilliseconds:F0} ms");
        return Run<QtestAccess, QtestHost>(machine.NicHost(0, "igb"), machine.NicHost(1, "virtio-net"), interrupts, gateway: true,
            () => $"{machine.Connection.Commands} qtest commands (MMIO, port I/O and config accesses)");
    }

    // Real NICs (or the VFIO guest's) through VFIO: one igb and/or one virtio-net-pci, found by ID.
    // With both, they exchange frames with each other (cable them together); --gateway also talks
    // to 10.0.2.2, which is QEMU's slirp in the VFIO guest.
    private static int RunOnVfio(System.Collections.Generic.List<string> devices, bool interrupts, bool gateway)
    {
        if (devices.Count is 0 or > 2) return Usage("--backend vfio needs one or two --device BDF (an 82576 and/or a virtio-net-pci)");
        using var container = new VfioContainer();
        var opened = new System.Collections.Generic.List<VfioDevice>();
        try
        {
            VfioHost? igbHost = null, virtioHost = null;
            foreach (string bdf in devices)
            {
                VfioDevice device = container.OpenDevice(bdf);
                opened.Add(device);
                var header = new PciConfig<UserspaceAccess>(device.ConfigSpace());
                uint id = (uint)header.VendorID.Read() << 16 | header.DeviceID.Read();
                VfioHost host = device.CreateHost(bdf, 4 << 20, interrupts ? VfioInterruptMode.Msix : VfioInterruptMode.None);
                if (id == (Regs.Igb.Igb.VendorId << 16 | Regs.Igb.Igb.DeviceId82576)) igbHost = host;
                else if (id == (VirtioPciCap.VendorId << 16 | (VirtioPciCap.ModernDeviceIdBase + (uint)VirtioDeviceType.Network))) virtioHost = host;
                else return Usage($"{bdf} is {id >> 16:x4}:{id & 0xFFFF:x4}, neither an 82576 (8086:10c9) nor a modern virtio-net-pci (1af4:1041)");
            }
            Console.WriteLine($"Regs demo: VFIO ({string.Join(", ", devices)}), {(interrupts ? "MSI-X interrupt" : "polling")} mode");
            return Run<UserspaceAccess, VfioHost>(igbHost, virtioHost, interrupts, gateway,
                () => $"{NativeResourcesText()} (direct MMIO through mmapped BARs is not counted)");
        }
        finally
        {
            foreach (var device in opened) device.Dispose();
        }
    }

    private static string NativeResourcesText() => $"{NativeResources.OpenFileDescriptors} VFIO descriptors open, {NativeResources.Mappings} mappings";

    // Brings up the NICs present (both on the model and QEMU backends, one or both under VFIO),
    // has them talk to each other when both are there and to the gateway when asked.
    private static int Run<TAccess, THost>(THost? igbHost, THost? virtioHost, bool interrupts, bool gateway, Func<string> trace)
        where TAccess : struct, IRegisterAccess<TAccess>
        where THost : struct, IDriverHost, IPciHost<TAccess>
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IgbNic<TAccess, THost> igb = default;
        VirtioNet<TAccess, VirtioPciTransport<TAccess>, THost> virtio = default;
        if (igbHost is THost igbDevice)
        {
            NicStatus status = IgbNic<TAccess, THost>.Initialise(igbDevice, new IgbOptions { InterruptMode = interrupts }, out igb);
            if (status != NicStatus.Ok) return Failed("igb", status);
            Console.WriteLine($"  igb         initialised in {clock.ElapsedMilliseconds} ms");
        }
        clock.Restart();
        if (virtioHost is THost virtioDevice)
        {
            NicStatus status = VirtioPciTransport<TAccess>.TryOpen(ref virtioDevice, VirtioDeviceType.Network, out var transport);
            if (status == NicStatus.Ok)
                status = VirtioNet<TAccess, VirtioPciTransport<TAccess>, THost>.Initialise(transport, virtioDevice, new VirtioNetOptions { InterruptMode = interrupts }, out virtio);
            if (status != NicStatus.Ok) return Failed("virtio-net", status);
            Console.WriteLine($"  virtio-net  initialised in {clock.ElapsedMilliseconds} ms (features {(ulong)virtio.Features:x})");
        }

        bool haveIgb = igbHost.HasValue, haveVirtio = virtioHost.HasValue, ok = true;
        if (haveIgb) { ok &= Exchange.WaitForLink(ref igb); PrintNic("igb", ref igb, IgbIp); }
        if (haveVirtio) { ok &= Exchange.WaitForLink(ref virtio); PrintNic("virtio-net", ref virtio, VirtioIp); }
        if (haveIgb && haveVirtio)
        {
            ok &= Exchange.ArpAndPing(ref igb, "igb", IgbIp, ref virtio, "virtio-net", VirtioIp);
            ok &= Exchange.ArpAndPing(ref virtio, "virtio-net", VirtioIp, ref igb, "igb", IgbIp);
        }
        if (gateway && haveIgb) ok &= Exchange.WithGateway(ref igb, "igb", IgbIp, GatewayIp);
        if (gateway && haveVirtio) ok &= Exchange.WithGateway(ref virtio, "virtio-net", VirtioIp, GatewayIp);
        Console.WriteLine("  counters      tx frames  tx bytes  rx frames  rx bytes  interrupts  link changes  protocol errors");
        if (haveIgb) PrintStats("igb", igb.Stats());
        if (haveVirtio) PrintStats("virtio-net", virtio.Stats());
        Console.WriteLine($"  register accesses: {trace()}");
        Console.WriteLine(ok ? "demo: all exchanges succeeded" : "demo: an exchange FAILED");
        return ok ? 0 : 1;
    }

    private static void PrintNic<TNic>(string name, ref TNic nic, uint ip) where TNic : INic
    {
        LinkState link = nic.Link();
        string speed = link.SpeedMbps != 0 ? $" {link.SpeedMbps} Mb/s {(link.FullDuplex ? "full" : "half")} duplex" : "";
        Console.WriteLine($"  {name,-11} MAC {Exchange.Text(nic.Mac)}  IP {Exchange.Ip(ip),-10}  link {(link.Up ? "up" : "down")}{speed}");
    }

    private static void PrintStats(string name, NicStats s)
        => Console.WriteLine($"  {name,-12}{s.TxFrames,11}{s.TxBytes,10}{s.RxFrames,11}{s.RxBytes,10}{s.Interrupts,12}{s.LinkChanges,14}{s.ProtocolErrors,17}");

    private static int Failed(string name, NicStatus status)
    {
        Console.WriteLine($"demo: {name} did not initialise: {status}");
        return 1;
    }
}
