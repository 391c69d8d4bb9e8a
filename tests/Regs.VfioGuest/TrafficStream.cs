using System;
using System.Diagnostics;
using System.IO;
using Regs.Net;
using Regs.Nic;
using Regs.Probes;
using Regs.Runtime;
using Regs.Runtime.Hosted;
using Regs.Runtime.Pci;
using Regs.Runtime.Vfio;
using Regs.Testing.Traffic;

namespace Regs.VfioGuest;

/// <summary>
/// The mode /init starts in the background and then kills (--stream igb|virtio --route vfio|raw):
/// one NIC streams numbered frames (EtherType 0x88B6) to the other NIC's MAC as fast as its ring
/// takes them and checks what the other streams back, every frame byte for byte and exactly once,
/// through VFIO with MSI-X or on the raw route (polling). Once traffic flows both ways it prints
/// "STREAM stream-NIC-ROUTE running ..." and creates <see cref="MarkerPrefix"/>NIC, then keeps
/// going until it is killed; after <see cref="Limit"/> it gives up and fails (nobody killed it).
/// </summary>
internal static class TrafficStream
{
    /// <summary>/init waits for this file (plus the NIC's name) before it kills.</summary>
    public const string MarkerPrefix = "/tmp/regs-stream-";

    private const long RunningAfterSent = 512, RunningAfterReceived = 128;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public static int Run(string nic, string route, string igbBdf, string virtioBdf)
    {
        bool igb = nic == "igb";
        string bdf = igb ? igbBdf : virtioBdf;
        ulong peer = igb ? Scenarios.VirtioMac : Scenarios.IgbMac;
        string name = $"stream-{nic}-{route}";
        try
        {
            if (route == "raw")
            {
                using var device = new SysfsPciDevice(bdf);
                using var dma = new HugepageDma(Scenarios.DmaBytes);
                RawPciHost host = device.CreateHost(name, dma);
                return igb ? Igb(host, false, name, nic, peer) : Virtio(host, false, name, nic, peer);
            }
            using var container = new VfioContainer();
            using VfioDevice vfio = container.OpenDevice(bdf);
            VfioHost vfioHost = vfio.CreateHost(name, Scenarios.DmaBytes, VfioInterruptMode.Msix);
            return igb ? Igb(vfioHost, true, name, nic, peer) : Virtio(vfioHost, true, name, nic, peer);
        }
        catch (Exception e)
        {
            Program.Check(name, $"{e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    private static int Igb<THost>(THost host, bool interrupts, string name, string nic, ulong peer) where THost : struct, IDriverHost, IPciHost<UserspaceAccess>
    {
        NicStatus status = GuestNics.OpenIgb(host, interrupts, out var igb);
        return status == NicStatus.Ok ? Stream(ref igb, name, nic, peer) : Failed(name, status);
    }

    private static int Virtio<THost>(THost host, bool interrupts, string name, string nic, ulong peer) where THost : struct, IDriverHost, IPciHost<UserspaceAccess>
    {
        NicStatus status = GuestNics.OpenVirtio(host, interrupts, out var net);
        return status == NicStatus.Ok ? Stream(ref net, name, nic, peer) : Failed(name, status);
    }

    private static int Failed(string name, NicStatus status)
    {
        Program.Check(name, $"initialisation: {status}");
        return 1;
    }

    private static int Stream<TNic>(ref TNic nic, string name, string nicName, ulong peerMac) where TNic : INic
    {
        if (!LinkProbe.WaitForUp<TNic, MonotonicClock>(ref nic, 3_000_000)) { Program.Check(name, "link stayed down"); return 1; }
        var peer = new MacAddress(peerMac);
        // The peer process numbers its frames the same way: each is checked byte for byte and
        // must come once; a driver error fails too.
        var traffic = new NicTraffic<TNic>(nic) { EtherType = EtherType.LocalExperimental2, DriverErrorsFail = true };
        TrafficFlow sent = traffic.Flow(nic.Mac, peer), received = traffic.Expect(peer, nic.Mac);
        bool running = false;
        var clock = Stopwatch.StartNew();
        try
        {
            while (clock.Elapsed < Limit)
            {
                traffic.Send(0, 16, peer);
                traffic.Wait(0, 1000);
                traffic.Receive(0);
                if (!running && sent.Sent >= RunningAfterSent && received.Delivered >= RunningAfterReceived)
                {
                    Program.Say($"STREAM {name} running sent={sent.Sent} received={received.Delivered} after {clock.ElapsedMilliseconds} ms");
                    File.WriteAllText(MarkerPrefix + nicName, "");
                    running = true;
                }
            }
        }
        catch (TrafficException e)
        {
            Program.Check(name, $"{e.Message} (after {sent.Sent} frames sent, {received.Delivered} received)");
            return 1;
        }
        Program.Check(name, $"still running after {Limit.TotalSeconds} s (sent {sent.Sent}, received {received.Delivered}): nobody killed it");
        return 2;
    }
}
