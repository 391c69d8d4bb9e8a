using System;
using System.Diagnostics;
using Regs.Drivers.Igb;
using Regs.Drivers.Virtio;
using Regs.Net;
using Regs.Nic;
using Regs.Probes;
using Regs.Runtime;
using Regs.Runtime.Hosted;
using Regs.Runtime.Pci;
using Regs.Virtio;

namespace Regs.Demo;

/// <summary>
/// What the demo does on every backend: bring up the NICs present with the same driver sources,
/// wait for their links, have them resolve and ping each other when both are there, and the
/// gateway when asked; print each step and the counters.
/// </summary>
internal static class Conversation
{
    private const uint LinkTimeout = 3_000_000, StepTimeout = 2_000_000;

    /// <summary>Runs the demo on the NICs of <paramref name="igbHost"/> and <paramref name="virtioHost"/> (either may be absent); returns the exit code.</summary>
    public static int Run<TAccess, THost>(THost? igbHost, THost? virtioHost, bool interrupts, bool gateway, Func<string> accessSummary)
        where TAccess : struct, IRegisterAccess<TAccess>
        where THost : struct, IDriverHost, IPciHost<TAccess>
    {
        var clock = Stopwatch.StartNew();
        IgbNic<TAccess, THost> igb = default;
        VirtioNet<TAccess, VirtioPciTransport<TAccess>, THost> virtio = default;
        if (igbHost is THost igbDevice)
        {
            NicStatus status = IgbNic<TAccess, THost>.Initialise(igbDevice, new IgbOptions { InterruptMode = interrupts }, out igb);
            if (status != NicStatus.Ok) return NotInitialised("igb", status);
            Console.WriteLine($"  igb         initialised in {clock.ElapsedMilliseconds} ms");
        }
        clock.Restart();
        if (virtioHost is THost virtioDevice)
        {
            NicStatus status = VirtioPciTransport<TAccess>.TryOpen(ref virtioDevice, VirtioDeviceType.Network, out var transport);
            if (status == NicStatus.Ok)
                status = VirtioNet<TAccess, VirtioPciTransport<TAccess>, THost>.Initialise(transport, virtioDevice, new VirtioNetOptions { InterruptMode = interrupts }, out virtio);
            if (status != NicStatus.Ok) return NotInitialised("virtio-net", status);
            Console.WriteLine($"  virtio-net  initialised in {clock.ElapsedMilliseconds} ms (features {(ulong)virtio.Features:x})");
        }

        bool haveIgb = igbHost.HasValue, haveVirtio = virtioHost.HasValue, ok = true;
        if (haveIgb) ok &= LinkUp(ref igb, "igb", Stations.IgbIp);
        if (haveVirtio) ok &= LinkUp(ref virtio, "virtio-net", Stations.VirtioIp);
        if (haveIgb && haveVirtio)
        {
            ok &= Peers(ref igb, "igb", Stations.IgbIp, ref virtio, "virtio-net", Stations.VirtioIp);
            ok &= Peers(ref virtio, "virtio-net", Stations.VirtioIp, ref igb, "igb", Stations.IgbIp);
        }
        if (gateway && haveIgb) ok &= Gateway(ref igb, "igb", Stations.IgbIp);
        if (gateway && haveVirtio) ok &= Gateway(ref virtio, "virtio-net", Stations.VirtioIp);
        Console.WriteLine("  counters      tx frames  tx bytes  rx frames  rx bytes  interrupts  link changes  protocol errors");
        if (haveIgb) PrintStats("igb", igb.Stats());
        if (haveVirtio) PrintStats("virtio-net", virtio.Stats());
        Console.WriteLine($"  register accesses: {accessSummary()}");
        Console.WriteLine(ok ? "demo: all exchanges succeeded" : "demo: an exchange FAILED");
        return ok ? Program.Succeeded : Program.ExchangeFailed;
    }

    private static bool LinkUp<TNic>(ref TNic nic, string name, uint ip) where TNic : INic
    {
        bool up = LinkProbe.WaitForUp<TNic, MonotonicClock>(ref nic, LinkTimeout);
        LinkState link = nic.Link();
        string speed = link.SpeedMbps != 0 ? $" {link.SpeedMbps} Mb/s {(link.FullDuplex ? "full" : "half")} duplex" : "";
        Console.WriteLine($"  {name,-11} MAC {nic.Mac}  IP {Ipv4.Text(ip),-10}  link {(link.Up ? "up" : "down")}{speed}");
        return up;
    }

    // A resolves B and pings it; B answers like a host stack.
    private static bool Peers<TA, TB>(ref TA a, string nameA, uint ipA, ref TB b, string nameB, uint ipB) where TA : INic where TB : INic
    {
        PeerProbeResult probe = PeerProbe.Run<TA, TB, MonotonicClock>(ref a, ipA, ref b, ipB, StepTimeout);
        string arp = $"{nameA} -> {nameB}: ARP who-has {Ipv4.Text(ipB)}";
        string echo = $"{nameA} -> {nameB}: ICMP echo request {Ipv4.Text(ipA)} -> {Ipv4.Text(ipB)}";
        string state = $" [{nameA}: {a.LastError}, {Counters(a.Stats())}; {nameB}: {b.LastError}, {Counters(b.Stats())}; {probe.IgnoredFrames} other frames ignored]";
        switch (probe.Failure)
        {
            case PeerProbeFailure.ArpNotSent: return Report($"{arp}: {nameA}'s transmit ring did not take it{state}", false);
            case PeerProbeFailure.ArpRequestNotSeen: return Report($"{arp}: {nameB} never saw it{state}", false);
            case PeerProbeFailure.NoArpReply: return Report($"{arp}: no reply{state}", false);
            case PeerProbeFailure.WrongMac: return Report($"{arp}  ->  is-at {probe.ResolvedMac}, not {nameB}'s {b.Mac}", false);
        }
        Report($"{arp}  ->  is-at {probe.ResolvedMac}  ({Milliseconds(probe.ArpMicroseconds)})", true);
        return probe.Failure switch
        {
            PeerProbeFailure.EchoNotSent => Report($"{echo}: {nameA}'s transmit ring did not take it{state}", false),
            PeerProbeFailure.EchoRequestNotSeen => Report($"{echo}: {nameB} never saw it{state}", false),
            PeerProbeFailure.NoEchoReply => Report($"{echo}  ->  no reply{state}", false),
            _ => Report($"{echo}  ->  reply  ({Milliseconds(probe.EchoMicroseconds)})", true),
        };
    }

    // ARP for the gateway and ping it (QEMU's slirp answers both).
    private static bool Gateway<TNic>(ref TNic nic, string name, uint ip) where TNic : INic
    {
        GatewayProbeResult probe = GatewayProbe.Run<TNic, MonotonicClock>(ref nic, ip, Stations.GatewayIp, StepTimeout);
        string arp = $"{name} -> gateway: ARP who-has {Ipv4.Text(Stations.GatewayIp)}";
        if (!probe.ArpReplied) return Report($"{arp}: {(probe.ArpSent ? "no reply" : "the transmit ring did not take it")}", false);
        Report($"{arp}  ->  is-at {probe.GatewayMac}  ({Milliseconds(probe.ArpMicroseconds)})", true);
        return Report($"{name} -> gateway: ICMP echo request {Ipv4.Text(ip)} -> {Ipv4.Text(Stations.GatewayIp)}  ->  "
            + (probe.EchoReplied ? $"reply  ({Milliseconds(probe.EchoMicroseconds)})" : probe.EchoSent ? "no reply" : "not sent (the transmit ring did not take it)"), probe.EchoReplied);
    }

    private static string Milliseconds(ulong microseconds) => $"{microseconds / 1000.0:F1} ms";

    private static string Counters(NicStats s) => $"tx {s.TxFrames} rx {s.RxFrames} irq {s.Interrupts} protocol errors {s.ProtocolErrors}";

    private static bool Report(string line, bool ok)
    {
        Console.WriteLine($"  {(ok ? "ok  " : "FAIL")}  {line}");
        return ok;
    }

    private static void PrintStats(string name, NicStats s)
        => Console.WriteLine($"  {name,-12}{s.TxFrames,11}{s.TxBytes,10}{s.RxFrames,11}{s.RxBytes,10}{s.Interrupts,12}{s.LinkChanges,14}{s.ProtocolErrors,17}");

    private static int NotInitialised(string name, NicStatus status)
    {
        Console.WriteLine($"demo: {name} did not initialise: {status}");
        return Program.ExchangeFailed;
    }
}
