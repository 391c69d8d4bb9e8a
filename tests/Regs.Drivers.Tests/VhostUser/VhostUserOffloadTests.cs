using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Regs.Drivers.Virtio;
using Regs.Nic;
using Regs.Virtio;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Drivers.Tests.VhostUser;

/// <summary>
/// One testpmd for the offload class: two vhost-user ports offering TSO (<c>tso=1</c>), forwarding
/// to each other in <c>csum</c> mode with DPDK's software segmentation (GSO) on both ports, so a
/// TCP train a driver hands its device leaves testpmd as segments of at most 1454 bytes.
/// </summary>
public sealed class TsoTestpmdFixture : IDisposable
{
    /// <summary>The largest segment testpmd's GSO sends: Ethernet, IPv4 and TCP headers and 1400 bytes.</summary>
    public const int GsoSegment = 1454;

    /// <summary>Starts testpmd and turns GSO on.</summary>
    public TsoTestpmdFixture()
    {
        Testpmd = new Testpmd(ports: 2, forwardMode: "csum", vdevOptions: ",tso=1");
        try
        {
            Testpmd.Command("stop");
            Testpmd.Command($"set gso segsz {GsoSegment}");
            Testpmd.Command("set port 0 gso on");
            Testpmd.Command("set port 1 gso on");
            // The csum engine writes the tx port's peer address as destination (made the
            // receiving NIC's here) and the tx port's own MAC as source (a vhost port's,
            // 56:48:4f:53:54:0N, which net_vhost does not let testpmd change).
            for (int port = 0; port < 2; port++) Testpmd.Command($"set eth-peer {port} {QtestNics.MacText(port)}");
            Testpmd.Command("start");
        }
        catch
        {
            Testpmd.Dispose();
            throw;
        }
    }

    /// <summary>The class's testpmd.</summary>
    public Testpmd Testpmd { get; }

    /// <inheritdoc/>
    public void Dispose() => Testpmd.Dispose();
}

/// <summary>
/// TCP segmentation offload against DPDK's vhost library as the device (QEMU's virtio-net-pci on
/// a vhost-user netdev offers HOST_TSO4/6 with the vdev option <c>tso=1</c>): NIC A hands its
/// device a 12,000-byte TCP train with gso_type, gso_size, hdr_len and a partial checksum; DPDK
/// takes the header as mbuf TSO metadata and testpmd's software GSO cuts the train; NIC B must
/// receive segments (sizes, IPv4 lengths and header checksums, sequence numbers) carrying the
/// payload byte-exact and exactly once. Measured, and why the test checks no more: in <c>io</c>
/// mode DPDK passes the train on whole, without gso metadata, also to a NIC that did not
/// negotiate GUEST_TSO4 (a 12,054-byte frame with gso_type 0 at a NIC with a 1518-byte MTU);
/// through the csum engine's GSO the segments arrive with their TCP checksums not completed and
/// no NEEDS_CSUM flag, with or without GUEST_CSUM at B (testpmd's GSO leaves the checksum to a
/// port offload the vhost port does not carry over). TCP checksums of device-made segments are
/// checked on the models (VirtioModelBigFrameTests).
/// </summary>
[Trait("Category", "VhostUser")]
[Collection(VhostUserCollection.Name)]
public sealed class VhostUserSegmentationTests : VhostUserOffloadBase, IClassFixture<TsoTestpmdFixture>
{
    /// <summary>Tests on the class's testpmd.</summary>
    public VhostUserSegmentationTests(TsoTestpmdFixture fixture, ITestOutputHelper output) : base(fixture.Testpmd, output) { }

    [Fact]
    public void A_TCP_train_is_taken_by_DPDK_and_arrives_cut_into_segments_with_the_payload_byte_exact()
    {
        NicOffloads tso = NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4;
        var (bench, a, b) = Start("tso", tso, NicOffloads.None, rewritesSource: true);
        using var _ = bench;
        Assert.Equal(tso, a.Offloads);                                  // HOST_TSO4 offered (tso=1) and taken
        const int payload = 12000, mss = TsoTestpmdFixture.GsoSegment - 54;
        byte[] train = Packets.Tcp(b.Mac, a.Mac, false, payload, seed: 7, sequence: 1000, flags: 0x18);
        var offload = Packets.PartialChecksum(train, false, Packets.TcpChecksumOffset);
        offload.GsoType = FrameOffload.GsoTcpV4;
        offload.SegmentSize = mss;
        offload.HeaderLength = (ushort)(offload.ChecksumStart + 20);
        int headers = offload.HeaderLength;
        int segments = (payload + mss - 1) / mss;

        var got = SendAndCollect(a, b, (byte[])train.Clone(), offload, segments);

        foreach (var g in got) _output.WriteLine($"received {g.Frame.Length} bytes, flags {g.Offload.Flags} gso {g.Offload.GsoType}");
        Assert.Equal(segments, got.Count);
        var joined = new List<byte>();
        uint sequence = 1000;
        foreach (var (frame, _) in got)
        {
            Assert.True(frame.Length <= TsoTestpmdFixture.GsoSegment, $"a {frame.Length}-byte segment");
            Assert.True(Packets.Ipv4HeaderChecksumRight(frame), "IPv4 header checksum wrong");
            Assert.Equal(frame.Length - 14, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(16)));   // IPv4 total length
            Assert.Equal(sequence, BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(offload.ChecksumStart + 4)));
            Assert.Equal(train.AsSpan(0, 6).ToArray(), frame.AsSpan(0, 6).ToArray());          // to B (the source is testpmd's port)
            Assert.Equal(train.AsSpan(12, 2).ToArray(), frame.AsSpan(12, 2).ToArray());
            joined.AddRange(frame.Skip(headers));
            sequence += (uint)(frame.Length - headers);
        }
        Assert.Equal(train.Skip(headers), joined);                     // the payload byte-exact, exactly once
        Assert.Equal(0ul, a.Stats().ProtocolErrors + b.Stats().ProtocolErrors + a.Stats().TxRejected + b.Stats().RxDropped);
    }
}

/// <summary>
/// Transmit checksum offload against DPDK's vhost library as the device, testpmd in <c>io</c> mode
/// (it touches no byte): NIC A hands its device a UDP datagram with NEEDS_CSUM, csum_start and
/// csum_offset and the pseudo-header sum in the field; NIC B must receive it with a right checksum
/// (computed here), whether or not B negotiated GUEST_CSUM.
/// </summary>
[Trait("Category", "VhostUser")]
[Collection(VhostUserCollection.Name)]
public sealed class VhostUserChecksumTests : VhostUserOffloadBase, IClassFixture<TestpmdFixture>
{
    /// <summary>Tests on the class's testpmd.</summary>
    public VhostUserChecksumTests(TestpmdFixture fixture, ITestOutputHelper output) : base(fixture.Testpmd, output) { }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void A_partial_checksum_arrives_at_the_far_NIC_with_a_right_checksum(bool v6, bool farChecksumOffload)
    {
        var (bench, a, b) = Start("csum", NicOffloads.TxChecksum, farChecksumOffload ? NicOffloads.RxChecksum : NicOffloads.None);
        using var _ = bench;
        Assert.Equal(NicOffloads.TxChecksum, a.Offloads);
        byte[] udp = Packets.Udp(b.Mac, a.Mac, v6, payload: 1000, seed: 3);
        var offload = Packets.PartialChecksum(udp, v6, Packets.UdpChecksumOffset);

        var got = SendAndCollect(a, b, udp, offload, 1);

        var (frame, rxOffload) = Assert.Single(got);
        _output.WriteLine($"received {frame.Length} bytes, flags {rxOffload.Flags}, checks {rxOffload.Checks}");
        Assert.Equal(udp.Length, frame.Length);
        Assert.True(ChecksumRight(frame, rxOffload, v6), "the UDP checksum at the far NIC is wrong");
        if (!farChecksumOffload) Assert.Equal(0, rxOffload.Flags);
    }
}

/// <summary>Two NICs with offloads on one testpmd, a frame sent and what arrives collected.</summary>
public abstract class VhostUserOffloadBase
{
    private readonly Testpmd _testpmd;
    /// <summary>The test's output.</summary>
    protected readonly ITestOutputHelper _output;

    /// <summary>Tests on <paramref name="testpmd"/>.</summary>
    protected VhostUserOffloadBase(Testpmd testpmd, ITestOutputHelper output)
    {
        _testpmd = testpmd;
        _output = output;
    }

    private static VirtioNetOptions Options(NicOffloads offloads) => new() { Offloads = offloads, TransmitTimeoutMicroseconds = 5_000_000 };

    /// <summary>QEMU with two NICs on testpmd, opened with the offloads asked, primed.</summary>
    protected (VhostUserBench Bench, INic A, INic B) Start(string name, NicOffloads a, NicOffloads b, bool rewritesSource = false)
    {
        var bench = new VhostUserBench(_testpmd, 2, $"vhu-{name}");
        INic nicA = bench.Open(0, Options(a));
        INic nicB = bench.Open(1, Options(b));
        NicScenarios.WaitForLink(ref nicA, up: true);
        NicScenarios.WaitForLink(ref nicB, up: true);
        if (rewritesSource) PrimeAtoB(nicA, nicB);
        else bench.Prime(nicA, nicB);
        _output.WriteLine($"A: {Drivers.VirtioFeatures(nicA)} offloads {nicA.Offloads}");
        _output.WriteLine($"B: {Drivers.VirtioFeatures(nicB)} offloads {nicB.Offloads}");
        return (bench, nicA, nicB);
    }

    // Sends one frame and collects what B receives of the test's EtherType (IPv4/IPv6) for a while.
    // VhostUserBench.Prime for a testpmd that rewrites source addresses: a frame of the prime
    // EtherType from A every 500 ms until one reaches B (10 s at most), whatever its source.
    private static void PrimeAtoB(INic a, INic b)
    {
        byte[] frame = new byte[60];
        b.Mac.CopyTo(frame);
        a.Mac.CopyTo(frame.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), VhostUserBench.PrimeEtherType);
        var tx = new FrameBatch(new byte[FrameBatch.SlotSize], new FrameEntry[1]);
        Assert.True(tx.Add(frame));
        var rx = new FrameBatch(new byte[8 * FrameBatch.SlotSize], new FrameEntry[8]);
        var clock = Stopwatch.StartNew();
        TimeSpan sent = TimeSpan.FromSeconds(-1);
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (clock.Elapsed - sent > TimeSpan.FromMilliseconds(500) && a.Send(in tx) == 1) sent = clock.Elapsed;
            b.WaitForReceive(10_000);
            int n = b.Receive(ref rx);
            for (int i = 0; i < n; i++)
                if (BinaryPrimitives.ReadUInt16BigEndian(rx.Frame(i).Slice(12)) == VhostUserBench.PrimeEtherType) return;
        }
        Assert.Fail("no frame from NIC A reached NIC B through testpmd within 10 s");
    }

    /// <summary>Sends one frame from A and collects the IP frames B receives.</summary>
    protected static List<(byte[] Frame, FrameOffload Offload)> SendAndCollect(INic a, INic b, byte[] frame, FrameOffload offload, int expected)
    {
        var tx = new FrameBatch(new byte[40 * FrameBatch.SlotSize], new FrameEntry[1]);
        Assert.True(tx.Add(frame, offload));
        Assert.Equal(1, a.Send(in tx));
        Assert.Equal(0ul, a.Stats().TxRejected);
        var got = new List<(byte[], FrameOffload)>();
        var rx = new FrameBatch(new byte[64 * FrameBatch.SlotSize], new FrameEntry[64]);
        var clock = Stopwatch.StartNew();
        while (got.Count < expected && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            a.Send(default);
            b.WaitForReceive(10_000);
            int n = b.Receive(ref rx);
            for (int i = 0; i < n; i++)
            {
                ushort type = BinaryPrimitives.ReadUInt16BigEndian(rx.Frame(i).Slice(12));
                if (type is 0x0800 or 0x86DD) got.Add((rx.Frame(i).ToArray(), rx.Offload(i)));
            }
        }
        return got;
    }

    // A received frame's L4 checksum: complete as it came, or (NEEDS_CSUM under GUEST_CSUM) once
    // completed from its metadata as the receiving stack would.
    /// <summary>Whether the L4 checksum is right (completed from NEEDS_CSUM metadata first).</summary>
    protected static bool ChecksumRight(byte[] frame, FrameOffload offload, bool v6)
    {
        if ((offload.Flags & FrameOffload.NeedsChecksum) != 0)
        {
            int start = offload.ChecksumStart, at = start + offload.ChecksumOffset;
            ulong sum = 0;
            for (int i = start; i < frame.Length; i++) sum += (i - start & 1) == 0 ? (ulong)frame[i] << 8 : frame[i];
            while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(at), (ushort)~sum);
        }
        return Packets.L4ChecksumRight(frame, v6);
    }
}
