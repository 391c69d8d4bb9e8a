using Regs.Drivers.Virtio;
using Regs.Drivers.Igb;
using Regs.Net;
using Regs.Nic;
using Regs.Probes;
using Regs.Runtime.Hosted;
using Regs.Runtime.Models;
using Regs.Runtime.Models.Igb;
using Regs.Runtime.Models.Virtio;
using Regs.Virtio;
using Xunit;

using IgbDriver = Regs.Drivers.Igb.IgbNic<Regs.Runtime.Models.ModelAccess, Regs.Runtime.Models.ModelHost>;
using VirtioDriver = Regs.Drivers.Virtio.VirtioNet<Regs.Runtime.Models.ModelAccess, Regs.Drivers.Virtio.VirtioPciTransport<Regs.Runtime.Models.ModelAccess>, Regs.Runtime.Models.ModelHost>;

namespace Regs.Drivers.Tests;

/// <summary>The probes of Regs.Probes (the bare-metal bring-up conversations), against the models.</summary>
[Trait("Category", "Model")]
public sealed class ProbeTests
{
    private static readonly byte[] VirtioMac = { 0x52, 0x54, 0, 0x12, 0x34, 0x57 };
    private static readonly byte[] IgbMac = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
    private const uint IgbIp = SlirpNetwork.FirstGuest, VirtioIp = SlirpNetwork.FirstGuest + 1;

    [Fact]
    public void Resolves_and_pings_the_gateway()
    {
        var network = new ModelNetwork();
        using var device = new VirtioPciModel(network, VirtioMac);
        var gateway = new GatewayModel(network);
        network.Connect(device, gateway);
        var host = new ModelHost(device, "virtio");
        Assert.Equal(NicStatus.Ok, VirtioPciTransport<ModelAccess>.TryOpen(ref host, VirtioDeviceType.Network, out var transport));
        Assert.Equal(NicStatus.Ok, VirtioNet<ModelAccess, VirtioPciTransport<ModelAccess>, ModelHost>.Initialise(transport, host, default, out var nic));

        GatewayProbeResult result = GatewayProbe.Run<VirtioNet<ModelAccess, VirtioPciTransport<ModelAccess>, ModelHost>, MonotonicClock>(ref nic, SlirpNetwork.FirstGuest, SlirpNetwork.Gateway, 1_000_000);

        Assert.True(result.ArpReplied);
        Assert.Equal(gateway.Address.Bits, result.GatewayMac.Bits);
        Assert.True(result.EchoReplied);
        Assert.Equal(2, gateway.Answered);
    }

    [Fact]
    public void Gives_up_in_bounded_time_when_nobody_answers()
    {
        var network = new ModelNetwork();
        using var device = new VirtioPciModel(network, VirtioMac);
        var host = new ModelHost(device, "virtio");
        Assert.Equal(NicStatus.Ok, VirtioPciTransport<ModelAccess>.TryOpen(ref host, VirtioDeviceType.Network, out var transport));
        Assert.Equal(NicStatus.Ok, VirtioNet<ModelAccess, VirtioPciTransport<ModelAccess>, ModelHost>.Initialise(transport, host, default, out var nic));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        GatewayProbeResult result = GatewayProbe.Run<VirtioNet<ModelAccess, VirtioPciTransport<ModelAccess>, ModelHost>, MonotonicClock>(ref nic, SlirpNetwork.FirstGuest, SlirpNetwork.Gateway, 200_000);

        Assert.False(result.ArpReplied);
        Assert.False(result.EchoReplied);
        Assert.InRange(clock.ElapsedMilliseconds, 190, 2000);
    }

    [Fact]
    public void Peers_resolve_and_ping_each_other_both_ways()
    {
        var network = new ModelNetwork();
        using var igbModel = new IgbModel(network, IgbMac, 0x4000_0000, 4 << 20);
        using var virtioModel = new VirtioPciModel(network, VirtioMac);
        network.Connect(igbModel, virtioModel);
        var (igb, virtio) = Open(igbModel, virtioModel);
        Assert.True(LinkProbe.WaitForUp<IgbDriver, MonotonicClock>(ref igb, 3_000_000));

        PeerProbeResult there = PeerProbe.Run<IgbDriver, VirtioDriver, MonotonicClock>(ref igb, IgbIp, ref virtio, VirtioIp, 1_000_000);
        PeerProbeResult back = PeerProbe.Run<VirtioDriver, IgbDriver, MonotonicClock>(ref virtio, VirtioIp, ref igb, IgbIp, 1_000_000);

        Assert.Equal(PeerProbeFailure.None, there.Failure);
        Assert.Equal(virtio.Mac.Bits, there.ResolvedMac.Bits);
        Assert.Equal(PeerProbeFailure.None, back.Failure);
        Assert.Equal(igb.Mac.Bits, back.ResolvedMac.Bits);
        // Each direction: an ARP request and reply, an echo request and reply, so each NIC received
        // four frames; nothing else was on the cable. (Transmit counts lag: they count at reclaim.)
        Assert.Equal(4ul, igb.Stats().RxFrames);
        Assert.Equal(4ul, virtio.Stats().RxFrames);
        Assert.Equal(0, there.IgnoredFrames + back.IgnoredFrames);
    }

    [Fact]
    public void A_peer_that_never_hears_the_request_is_reported_as_such_in_bounded_time()
    {
        var network = new ModelNetwork();
        using var igbModel = new IgbModel(network, IgbMac, 0x4000_0000, 4 << 20);
        using var virtioModel = new VirtioPciModel(network, VirtioMac);   // no cable between them
        var (igb, virtio) = Open(igbModel, virtioModel);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        PeerProbeResult result = PeerProbe.Run<IgbDriver, VirtioDriver, MonotonicClock>(ref igb, IgbIp, ref virtio, VirtioIp, 200_000);

        Assert.Equal(PeerProbeFailure.ArpRequestNotSeen, result.Failure);
        Assert.False(result.Succeeded);
        Assert.InRange(clock.ElapsedMilliseconds, 190, 2000);
    }

    private static (IgbDriver, VirtioDriver) Open(IgbModel igbModel, VirtioPciModel virtioModel)
    {
        Assert.Equal(NicStatus.Ok, IgbDriver.Initialise(new ModelHost(igbModel, "igb"), default, out var igb));
        var host = new ModelHost(virtioModel, "virtio");
        Assert.Equal(NicStatus.Ok, VirtioPciTransport<ModelAccess>.TryOpen(ref host, VirtioDeviceType.Network, out var transport));
        Assert.Equal(NicStatus.Ok, VirtioDriver.Initialise(transport, host, default, out var virtio));
        return (igb, virtio);
    }
}
