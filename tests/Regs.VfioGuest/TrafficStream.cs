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

namespace Regs.VfioGuest;

/// <summary>
/// The mode /init starts in the background and then kills (--stream igb|virtio --route vfio|raw):
/// one NIC streams numbered frames to the other NIC's MAC as fast as its ring takes them and counts
/// what the other streams back, through VFIO with MSI-X or on the raw route (polling). Once traffic
/// flows both ways it prints "STREAM stream-NIC-ROUTE running ..." and creates
/// <see cref="MarkerPrefix"/>NIC, then keeps going until it is killed; after <see cref="Limit"/>
/// it gives up and fails (nobody killed it).
/// </summary>
internal static class TrafficStream
{
    /// <summary>/init waits for this file (plus the NIC's name) before it kills.</summary>
    public const string MarkerPrefix = "/tmp/regs-stream-";

    /// <summary>The stream's EtherType (IEEE local experimental 2).</summary>
    public const ushort EtherType = 0x88B6;

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
        var tx = new FrameBatch(new byte[16 * FrameBatch.SlotSize], new ushort[16]);
        var rx = new FrameBatch(new byte[64 * FrameBatch.SlotSize], new ushort[64]);
        var peer = new MacAddress(peerMac);
        long sent = 0, received = 0;
        bool running = false;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Limit)
        {
            tx.Count = 0;
            for (int i = 0; i < tx.Capacity; i++)
            {
                Span<byte> frame = tx.Slot(i);
                peer.CopyTo(frame);
                nic.Mac.CopyTo(frame.Slice(6));
                frame[12] = EtherType >> 8; frame[13] = EtherType & 0xFF;
                BitConverter.TryWriteBytes(frame.Slice(14), sent + i);
                tx.SetLength(i, 60 + (int)((sent + i) * 37 % 1400));
                tx.Count++;
            }
            sent += nic.Send(tx);
            nic.WaitForReceive(1000);
            int count = nic.Receive(ref rx);
            for (int i = 0; i < count; i++)
            {
                Span<byte> frame = rx.Frame(i);
                if (frame.Length >= 14 && frame[12] == EtherType >> 8 && frame[13] == (EtherType & 0xFF) && MacAddress.From(frame.Slice(6)).Bits == peerMac) received++;
            }
            if (nic.LastError != NicStatus.Ok) { Program.Check(name, $"driver error {nic.LastError} after {sent} frames sent"); return 1; }
            if (!running && sent >= RunningAfterSent && received >= RunningAfterReceived)
            {
                Program.Say($"STREAM {name} running sent={sent} received={received} after {clock.ElapsedMilliseconds} ms");
                File.WriteAllText(MarkerPrefix + nicName, "");
                running = true;
            }
        }
        Program.Check(name, $"still running after {Limit.TotalSeconds} s (sent {sent}, received {received}): nobody killed it");
        return 2;
    }
}
