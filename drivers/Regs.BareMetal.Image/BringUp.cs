using Regs.Drivers.Igb;
using Regs.Drivers.Virtio;
using Regs.Net;
using Regs.Nic;
using Regs.Probes;
using Regs.Runtime;
using Regs.Runtime.BareMetal;
using Regs.Runtime.BareMetal.Uefi;
using Regs.Virtio;

namespace Regs.BareMetal.Image;

/// <summary>
/// The image's application: find QEMU's igb and virtio-net-pci by ID, bring both up with the
/// same drivers as every other backend, print MACs and link state, ARP for and ping slirp's
/// gateway on each NIC, and power off. Every line starts with "regs-baremetal: " for the test.
/// </summary>
internal static unsafe class BringUp
{
    private const uint StationIp = SlirpNetwork.FirstGuest;   // 10.0.2.15
    private const uint GatewayIp = SlirpNetwork.Gateway;      // 10.0.2.2
    private const uint StepTimeout = 3_000_000;

    public static void Run()
    {
        // igb (82576): the firmware has no driver for it, so it is as the device came up.
        if (UefiHost.TryOpen((ushort)Regs.Igb.Igb.VendorId, (ushort)Regs.Igb.Igb.DeviceId82576, 0, out UefiHost igbHost))
        {
            NicStatus status = IgbNic<MmioPointer<TscClock>, UefiHost>.Initialise(igbHost, default, out var igb);
            Report("igb"u8, ref igb, status);
        }
        else Line("igb: not found"u8);

        // virtio-net-pci: OVMF's own VirtioNetDxe may have driven it; Initialise resets it first (3.1.1).
        if (UefiHost.TryOpen((ushort)VirtioPciCap.VendorId, (ushort)(VirtioPciCap.ModernDeviceIdBase + (uint)VirtioDeviceType.Network), 0, out UefiHost virtioHost))
        {
            NicStatus status = VirtioPciTransport<MmioPointer<TscClock>>.TryOpen(ref virtioHost, VirtioDeviceType.Network, out var transport);
            VirtioNet<MmioPointer<TscClock>, VirtioPciTransport<MmioPointer<TscClock>>, UefiHost> net = default;
            if (status == NicStatus.Ok)
                status = VirtioNet<MmioPointer<TscClock>, VirtioPciTransport<MmioPointer<TscClock>>, UefiHost>.Initialise(transport, virtioHost, default, out net);
            Report("virtio-net"u8, ref net, status);
        }
        else Line("virtio-net: not found"u8);
    }

    private static void Report<TNic>(System.ReadOnlySpan<byte> name, ref TNic nic, NicStatus status) where TNic : struct, INic
    {
        System.Span<byte> buffer = stackalloc byte[160];
        var line = new LogLine(buffer);
        line.Add(name);
        if (status != NicStatus.Ok)
        {
            line.Add(": initialisation failed, status "u8);
            line.Dec((ulong)status);
            Line(line.Text);
            return;
        }
        LinkProbe.WaitForUp<TNic, TscClock>(ref nic, StepTimeout);   // autonegotiation
        LinkState link = nic.Link();
        System.Span<byte> mac = stackalloc byte[MacAddress.TextLength];
        nic.Mac.Format(mac);
        line.Add(": mac "u8);
        line.Add(mac);
        line.Add(link.Up ? " link up"u8 : " link down"u8);
        if (link.SpeedMbps != 0) { line.Add(" "u8); line.Dec(link.SpeedMbps); line.Add(" Mb/s"u8); }
        Line(line.Text);

        GatewayProbeResult probe = GatewayProbe.Run<TNic, TscClock>(ref nic, StationIp, GatewayIp, StepTimeout);
        line = new LogLine(buffer);
        line.Add(name);
        if (probe.ArpReplied)
        {
            probe.GatewayMac.Format(mac);
            line.Add(": arp reply 10.0.2.2 is-at "u8);
            line.Add(mac);
            line.Add(" in "u8);
            line.Dec(probe.ArpMicroseconds);
            line.Add(" us"u8);
        }
        else line.Add(probe.ArpSent ? ": no arp reply from 10.0.2.2"u8 : ": arp request not sent (transmit ring full)"u8);
        Line(line.Text);
        line = new LogLine(buffer);
        line.Add(name);
        if (probe.EchoReplied)
        {
            line.Add(": icmp echo reply from 10.0.2.2 in "u8);
            line.Dec(probe.EchoMicroseconds);
            line.Add(" us"u8);
        }
        else line.Add(probe.EchoSent ? ": no icmp echo reply from 10.0.2.2"u8 : ": icmp echo request not sent"u8);
        Line(line.Text);
    }

    private static void Line(System.ReadOnlySpan<byte> text) => Program.Say(text);
}
