using Regs.Drivers.Virtio;
using Regs.Nic;
using Regs.Nic.Ethernet;
using Regs.Runtime.Hosted;
using Regs.Runtime.Models;
using Regs.Runtime.Models.Virtio;
using Regs.Virtio;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>The bare-metal bring-up conversation, run against the model gateway.</summary>
[Trait("Category", "Model")]
public sealed class GatewayProbeTests
{
    [Fact]
    public void Resolves_and_pings_the_gateway()
    {
        var network = new ModelNetwork();
        using var device = new VirtioPciModel(network, new byte[] { 0x52, 0x54, 0, 0x12, 0x34, 0x57 });
        var gateway = new GatewayModel(network);
        network.Connect(device, gateway);
        var host = new ModelHost(device, "virtio");
        Assert.Equal(NicStatus.Ok, VirtioPciTransport<ModelAccess>.TryOpen(ref host, VirtioDeviceType.Network, out var transport));
        Assert.Equal(NicStatus.Ok, VirtioNet<ModelAccess, VirtioPciTransport<ModelAccess>, ModelHost>.Initialise(transport, host, default, out var nic));

        GatewayProbeResult result = GatewayProbe.Run<VirtioNet<ModelAccess, VirtioPciTransport<ModelAccess>, ModelHost>, MonotonicClock>(ref nic, 0x0A00020F, GatewayModel.DefaultIp, 1_000_000);

        Assert.True(result.ArpReplied);
        Assert.Equal(gateway.Address.Bits, result.GatewayMac.Bits);
        Assert.True(result.EchoReplied);
        Assert.Equal(2, gateway.Answered);
    }

    [Fact]
    public void Gives_up_in_bounded_time_when_nobody_answers()
    {
        var network = new ModelNetwork();
        using var device = new VirtioPciModel(network, new byte[] { 0x52, 0x54, 0, 0x12, 0x34, 0x57 });
        var host = new ModelHost(device, "virtio");
        Assert.Equal(NicStatus.Ok, VirtioPciTransport<ModelAccess>.TryOpen(ref host, VirtioDeviceType.Network, out var transport));
        Assert.Equal(NicStatus.Ok, VirtioNet<ModelAccess, VirtioPciTransport<ModelAccess>, ModelHost>.Initialise(transport, host, default, out var nic));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        GatewayProbeResult result = GatewayProbe.Run<VirtioNet<ModelAccess, VirtioPciTransport<ModelAccess>, ModelHost>, MonotonicClock>(ref nic, 0x0A00020F, GatewayModel.DefaultIp, 200_000);

        Assert.False(result.ArpReplied);
        Assert.False(result.EchoReplied);
        Assert.InRange(clock.ElapsedMilliseconds, 190, 2000);
    }
}
