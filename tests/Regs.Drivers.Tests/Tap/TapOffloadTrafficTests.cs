using System;
using Regs.Net;
using Regs.Nic;
using Regs.Tap;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Drivers.Tests.Tap;

/// <summary>
/// What the kernel hands a TAP bridge, depending on the offloads the NIC reports, and that the
/// bridge carries the virtio-net header's metadata unchanged both ways: two Linux stacks in their
/// own namespaces, two bridges, and between them a test cable (<see cref="WireEnd"/>) that checks
/// every frame and passes its offload metadata to the other side as virtio-net would.
/// </summary>
[Trait("Category", "Traffic")]
public sealed class TapOffloadTrafficTests
{
    private const int TransferBytes = 4 << 20;
    private readonly ITestOutputHelper _output;

    public TapOffloadTrafficTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Without_offloads_the_kernel_hands_over_checksummed_frames_no_longer_than_the_mtu()
    {
        var (a, _) = Run(NicOffloads.None);
        Assert.Equal(0, a.ChecksumRequests);
        Assert.Equal(0, a.SegmentationTrains);
        Assert.Equal(0, a.PlainTooLong);
        Assert.Equal(0, a.ChecksumsBad);
        Assert.True(a.ChecksumsVerified >= TransferBytes / 1500, a.Describe());   // every data segment's TCP checksum was right
        Assert.True(a.LongestFrame <= 1514, a.Describe());
    }

    [Fact]
    public void With_checksum_offload_the_kernel_leaves_checksums_to_the_nic_and_the_far_stack_takes_them_partial()
    {
        var (a, _) = Run(NicOffloads.TxChecksum);
        Assert.Equal(0, a.SegmentationTrains);
        Assert.True(a.ChecksumRequests >= TransferBytes / 1500, a.Describe());
        Assert.Equal(0, a.ChecksumsBad);   // each partial checksum, completed, is right
        Assert.Equal(0, a.PlainTooLong);
    }

    [Fact]
    public void With_segmentation_offload_the_kernel_hands_over_trains_and_the_far_stack_takes_them_whole()
    {
        var (a, b) = Run(NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4 | NicOffloads.TxTcpSegmentationV6);
        Assert.True(a.SegmentationTrains > 0, a.Describe());
        Assert.True(a.LongestFrame > 1514, a.Describe());
        Assert.Equal(0, a.BadSegmentation);
        Assert.Equal(0, a.ChecksumsBad);
        Assert.Equal(0, a.PlainTooLong);
        // Far fewer frames than 1448-byte segments: the trains crossed the cable whole.
        Assert.True(a.Sent < TransferBytes / 1448, a.Describe());
        Assert.Equal(0, b.DroppedTooLong);
    }

    // Moves 4 MiB from A to B and 4 MiB from B to A; returns the cable ends (A's saw A's frames).
    private (WireEnd A, WireEnd B) Run(NicOffloads offloads)
    {
        using var lab = new TapLab();
        var a = new WireEnd(SlirpNetwork.NicMac(0), offloads);
        var b = new WireEnd(SlirpNetwork.NicMac(1), offloads);
        a.Peer = b;
        b.Peer = a;
        NicTapBridge<WireNic> bridgeA = lab.Station(new WireNic(a), TapLab.AddressA, new TapBridgeOptions());
        NicTapBridge<WireNic> bridgeB = lab.Station(new WireNic(b), TapLab.AddressB, new TapBridgeOptions());
        Assert.Equal(TapOffloadMapping.ForNic(offloads), bridgeA.Tap.Offloads);

        lab.Ping(lab.NamespaceA, TapLab.AddressB, 2);
        byte[] up = TapLab.Payload(TransferBytes, 21), down = TapLab.Payload(TransferBytes, 22);
        var (receivedUp, upTime) = lab.Transfer(lab.NamespaceA, lab.NamespaceB, TapLab.AddressB, up, 5011);
        Assert.Equal(TapLab.Sha256(up), TapLab.Sha256(receivedUp));
        var (receivedDown, downTime) = lab.Transfer(lab.NamespaceB, lab.NamespaceA, TapLab.AddressA, down, 5012);
        Assert.Equal(TapLab.Sha256(down), TapLab.Sha256(receivedDown));
        lab.StopBridges();

        _output.WriteLine($"offloads {offloads}: A->B {TransferBytes / upTime.TotalSeconds / 1e6:F1} MB/s, B->A {TransferBytes / downTime.TotalSeconds / 1e6:F1} MB/s");
        _output.WriteLine($"cable at A: {a.Describe()}");
        _output.WriteLine($"cable at B: {b.Describe()}");
        _output.WriteLine($"bridge A: {bridgeA.Counters}");
        _output.WriteLine($"bridge B: {bridgeB.Counters}");
        foreach (var (end, bridge) in new[] { (a, bridgeA), (b, bridgeB) })
        {
            Assert.Equal(0, end.Violations);   // never asked the NIC for an offload it does not have
            TapBridgeCounters c = bridge.Counters;
            Assert.Equal(0ul, c.Drops);
            Assert.Equal(0ul, c.SoftwareChecksums);
            Assert.Equal(0ul, c.TapReadErrors);
            Assert.Equal((ulong)end.Sent, c.TapToNicFrames);
            Assert.Equal((ulong)end.Received, c.NicToTapFrames);
        }
        return (a, b);
    }
}
