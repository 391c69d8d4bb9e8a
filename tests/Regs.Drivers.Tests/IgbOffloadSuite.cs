using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using Regs.Drivers.Igb;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime.Models;
using Regs.Runtime.Qtest;
using Regs.Testing.NicKinds;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>
/// igb's MTU option (jumbo frames up to 9,018 bytes) and its offloads (transmit checksum, TCP
/// segmentation, receive checksum), between two igbs: on the in-process models and on QEMU's igb
/// behind a hub (QEMU's warnings fail the test, <see cref="QtestBench"/>). Every checksum is checked
/// by the test's own computation (<see cref="Inet"/>), never by the NIC that made it.
/// </summary>
public abstract class IgbOffloadSuite
{
    /// <summary>Two igbs on one wire.</summary>
    protected abstract INicBench StartPair(string name);

    /// <summary>Initialises igb <paramref name="index"/> of <paramref name="bench"/> with <paramref name="options"/>.</summary>
    protected abstract NicStatus Open(INicBench bench, int index, IgbOptions options, out INic nic);

    /// <summary>
    /// Whether the last segment of a TCP segmentation train keeps FIN and PSH, as the 82576's
    /// flag masks do at reset (DTXTCPFLGH; datasheet section not confirmed). QEMU 10 does not: it
    /// clears both in the header template every segment is cut with (net_tx_pkt_tcp_fragment_init).
    /// </summary>
    protected abstract bool LastSegmentKeepsFinAndPsh { get; }

    private const ushort Marker = EtherType.LocalExperimental1;

    private INic OpenUp(INicBench bench, int index, IgbOptions options)
    {
        Assert.Equal(NicStatus.Ok, Open(bench, index, options, out INic nic));
        NicScenarios.WaitForLink(ref nic, up: true);
        return nic;
    }

    private static IgbOptions With(uint mtu = 0, NicOffloads offloads = NicOffloads.None) => new() { Mtu = mtu, Offloads = offloads };

    // ------------------------------------------------------------------ MTU and jumbo frames

    [Fact]
    public void Mtu_outside_68_to_9000_fails_initialisation_and_the_bounds_are_accepted()
    {
        using var bench = StartPair("igb-mtu-bounds");
        Assert.Equal(NicStatus.Unsupported, Open(bench, 0, With(mtu: 9001), out _));
        Assert.Equal(NicStatus.Unsupported, Open(bench, 0, With(mtu: 67), out _));
        Assert.Equal(NicStatus.Unsupported, Open(bench, 0, With(mtu: 65535), out _));
        INic nic = OpenUp(bench, 0, With(mtu: 9000));
        Assert.Equal(9018, nic.MaxFrameLength);
        Assert.Equal(NicOffloads.None, nic.Offloads);
        nic = OpenUp(bench, 1, With(mtu: 68));
        Assert.Equal(86, nic.MaxFrameLength);
        nic = OpenUp(bench, 1, default);
        Assert.Equal(1518, nic.MaxFrameLength);
    }

    /// <summary>
    /// Jumbo frames up to 9,018 bytes (MTU 9000, tagged) between two igbs, mixed with 60-byte and
    /// odd sizes around the 2 KiB buffer boundaries: every frame arrives exactly once, byte for
    /// byte, as one frame gathered from several receive descriptors; 9,019 bytes is refused at send.
    /// </summary>
    [Fact]
    public void Jumbo_frames_cross_byte_exact_and_exactly_once_mixed_with_60_byte_frames()
    {
        using var bench = StartPair("igb-jumbo");
        INic a = OpenUp(bench, 0, With(mtu: 9000));
        INic b = OpenUp(bench, 1, With(mtu: 9000));
        Assert.Equal(9018, a.MaxFrameLength);

        int[] lengths = { 9018, 60, 9014, 60, 2048, 2049, 4097, 60, 6144, 1518, 9018, 8191, 60, 9018 };
        var expected = new Dictionary<int, byte[]>();
        var tx = new FrameBatch(new byte[64 * FrameBatch.SlotSize], new FrameEntry[lengths.Length]);
        for (int i = 0; i < lengths.Length; i++)
        {
            byte[] frame = PatternFrame(b.Mac, a.Mac, lengths[i], i);
            Assert.True(tx.Add(frame));
            expected[i] = frame;
        }
        ulong rejected = a.Stats().TxRejected;
        SendAll(a, tx);
        Assert.Equal(rejected, a.Stats().TxRejected);

        var tooLong = new FrameBatch(new byte[8 * FrameBatch.SlotSize], new FrameEntry[1]);
        Assert.True(tooLong.Add(PatternFrame(b.Mac, a.Mac, 9019, 99)));
        Assert.Equal(1, a.Send(tooLong));
        Assert.Equal(rejected + 1, a.Stats().TxRejected);

        var arrived = ReceiveMarked(b, a.Mac, lengths.Length);
        Assert.Equal(Enumerable.Range(0, lengths.Length), arrived.Select(f => f.Index).OrderBy(i => i));
        foreach (var (index, frame) in arrived) Assert.True(frame.AsSpan().SequenceEqual(expected[index]), $"frame {index} ({lengths[index]} bytes) arrived changed");
        Assert.Equal(0ul, b.Stats().ProtocolErrors);
        Assert.Equal(0ul, b.Stats().RxDropped);
    }

    /// <summary>
    /// The default MTU keeps the standard bounds on receive (RCTL.LPE off): from a jumbo peer,
    /// 1514 bytes untagged and 1518 tagged arrive; 1515 and 1519 untagged and 1519 tagged do not.
    /// </summary>
    [Fact]
    public void Default_mtu_receiver_takes_1514_untagged_and_1518_tagged_and_drops_longer_frames()
    {
        using var bench = StartPair("igb-mtu-default");
        INic a = OpenUp(bench, 0, With(mtu: 9000));
        INic b = OpenUp(bench, 1, default);
        int[] lengths = { 1514, 1515, 1519, 1518, 1519, 60 };
        bool[] tagged = { false, false, false, true, true, false };
        var tx = new FrameBatch(new byte[16 * FrameBatch.SlotSize], new FrameEntry[lengths.Length]);
        for (int i = 0; i < lengths.Length; i++) Assert.True(tx.Add(PatternFrame(b.Mac, a.Mac, lengths[i], i, tagged[i])));
        SendAll(a, tx);
        var arrived = ReceiveMarked(b, a.Mac, 3);
        Assert.Equal(new[] { 0, 3, 5 }, arrived.Select(f => f.Index).OrderBy(i => i));
    }

    /// <summary>
    /// An MTU between the standard and the jumbo one bounds receive through RLPML (MTU + 22 with
    /// the FCS): an MTU-4000 receiver takes 4,018 bytes (tagged or not) from a jumbo peer and drops
    /// 4,019 and 9,018; its own sender refuses 4,019.
    /// </summary>
    [Fact]
    public void Mtu_4000_receiver_takes_4018_bytes_and_drops_longer_frames()
    {
        using var bench = StartPair("igb-mtu-4000");
        INic a = OpenUp(bench, 0, With(mtu: 9000));
        INic b = OpenUp(bench, 1, With(mtu: 4000));
        Assert.Equal(4018, b.MaxFrameLength);
        int[] lengths = { 4018, 4019, 4018, 9018, 60 };
        bool[] tagged = { true, false, false, true, false };
        var tx = new FrameBatch(new byte[32 * FrameBatch.SlotSize], new FrameEntry[lengths.Length]);
        for (int i = 0; i < lengths.Length; i++) Assert.True(tx.Add(PatternFrame(b.Mac, a.Mac, lengths[i], i, tagged[i])));
        SendAll(a, tx);
        var arrived = ReceiveMarked(b, a.Mac, 3);
        Assert.Equal(new[] { 0, 2, 4 }, arrived.Select(f => f.Index).OrderBy(i => i));
        Assert.Equal(0ul, b.Stats().ProtocolErrors);

        var back = new FrameBatch(new byte[4 * FrameBatch.SlotSize], new FrameEntry[1]);
        Assert.True(back.Add(PatternFrame(a.Mac, b.Mac, 4019, 0)));
        ulong rejected = b.Stats().TxRejected;
        Assert.Equal(1, b.Send(back));
        Assert.Equal(rejected + 1, b.Stats().TxRejected);
    }

    /// <summary>
    /// A receive batch that cannot hold a 9,018-byte frame even when empty (4 slots): the frame is
    /// dropped and counted in RxDropped, never stalls the ring, and the frames after it arrive.
    /// </summary>
    [Fact]
    public void A_frame_longer_than_an_empty_receive_batch_is_dropped_counted_and_the_ring_goes_on()
    {
        using var bench = StartPair("igb-jumbo-small-batch");
        INic a = OpenUp(bench, 0, With(mtu: 9000));
        INic b = OpenUp(bench, 1, With(mtu: 9000));
        var tx = new FrameBatch(new byte[16 * FrameBatch.SlotSize], new FrameEntry[3]);
        Assert.True(tx.Add(PatternFrame(b.Mac, a.Mac, 9018, 0)));
        Assert.True(tx.Add(PatternFrame(b.Mac, a.Mac, 60, 1)));
        Assert.True(tx.Add(PatternFrame(b.Mac, a.Mac, 8000, 2)));
        SendAll(a, tx);
        var arrived = ReceiveMarked(b, a.Mac, 2, slots: 4);
        Assert.Equal(new[] { 1 }, arrived.Select(f => f.Index).Where(i => i != 2).ToArray());
        Assert.Contains(arrived, f => f.Index == 2 && f.Frame.Length == 8000);
        Assert.Equal(1ul, b.Stats().RxDropped);
        Assert.Equal(0ul, b.Stats().ProtocolErrors);
    }

    /// <summary>Where the suite writes its figures (the rate test), when the subclass gives one.</summary>
    protected Xunit.Abstractions.ITestOutputHelper? Output { get; init; }

    /// <summary>Backend name for the figures.</summary>
    protected abstract string Backend { get; }

    /// <summary>
    /// 300 frames of 1,514 bytes, then 300 of 9,014, from one MTU-9000 igb to another in batches
    /// of 16: every frame arrives exactly once and byte for byte; the rates are written to the
    /// output and to artifacts/bdn/results (a record, not a target).
    /// </summary>
    [Fact]
    public void Standard_and_jumbo_bursts_arrive_whole_and_their_rates_are_recorded()
    {
        using var bench = StartPair("igb-jumbo-rate");
        INic a = OpenUp(bench, 0, With(mtu: 9000));
        INic b = OpenUp(bench, 1, With(mtu: 9000));
        const int Frames = 300, Batch = 16;
        var lines = new List<string>();
        foreach (int length in new[] { 1514, 9014 })
        {
            var frames = new byte[Frames][];
            for (int i = 0; i < Frames; i++)
            {
                frames[i] = PatternFrame(b.Mac, a.Mac, length, i & 0xFF, tagged: false);
                BinaryPrimitives.WriteUInt16BigEndian(frames[i].AsSpan(20), (ushort)i);
            }
            var seen = new int[Frames];
            var tx = new FrameBatch(new byte[Batch * 5 * FrameBatch.SlotSize], new FrameEntry[Batch]);
            var rx = new FrameBatch(new byte[128 * FrameBatch.SlotSize], new FrameEntry[128]);
            int next = 0, arrived = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (arrived < Frames && DateTime.UtcNow < deadline)
            {
                if (next < Frames)
                {
                    tx.Clear();
                    for (int i = next; i < Math.Min(Frames, next + Batch); i++) Assert.True(tx.Add(frames[i]));
                    int sent = 0;
                    while (sent < tx.Count && DateTime.UtcNow < deadline) sent += a.Send(tx.Skip(sent));
                    next += sent;
                }
                else b.WaitForReceive(20_000);
                int n = b.Receive(ref rx);
                for (int i = 0; i < n; i++)
                {
                    ReadOnlySpan<byte> f = rx.Frame(i);
                    if (f.Length != length || (f[12] << 8 | f[13]) != Marker) continue;
                    int id = BinaryPrimitives.ReadUInt16BigEndian(f.Slice(20));
                    Assert.InRange(id, 0, Frames - 1);
                    Assert.True(f.SequenceEqual(frames[id]), $"frame {id} arrived changed");
                    seen[id]++;
                    arrived++;
                }
            }
            clock.Stop();
            Assert.All(seen, c => Assert.Equal(1, c));
            double seconds = clock.Elapsed.TotalSeconds;
            lines.Add($"{Backend} igb MTU 9000, {Frames} frames of {length} B: {clock.Elapsed.TotalMilliseconds:F0} ms = {Frames / seconds:F0} frames/s, {Frames * (double)length / seconds / 1e6:F2} MB/s");
        }
        foreach (string line in lines) Output?.WriteLine(line);
        System.IO.Directory.CreateDirectory(QtestThroughputTests.ResultsFolder);
        System.IO.File.WriteAllText(System.IO.Path.Combine(QtestThroughputTests.ResultsFolder, $"{GetType().FullName}-jumbo.txt"), string.Join("\n", lines) + "\n");
    }

    // ------------------------------------------------------------------ transmit checksum

    public static TheoryData<bool, bool> IpAndTransport => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    /// <summary>
    /// TCP and UDP over IPv4 and IPv6 with a zeroed checksum and NeedsChecksum: the peer receives
    /// the frame with the checksum the test computes itself, every other byte unchanged. Without
    /// TxChecksum turned on the same frame is refused (TxRejected), never sent with a bad checksum.
    /// </summary>
    [Theory, MemberData(nameof(IpAndTransport))]
    public void Transmit_checksum_offload_fills_in_tcp_and_udp_checksums(bool ipv6, bool tcp)
    {
        using var bench = StartPair($"igb-txcsum-{(ipv6 ? 6 : 4)}-{(tcp ? "tcp" : "udp")}");
        INic a = OpenUp(bench, 0, With(offloads: NicOffloads.TxChecksum));
        INic b = OpenUp(bench, 1, default);
        Assert.Equal(NicOffloads.TxChecksum, a.Offloads);

        int[] payloads = { 1, 200, 1400 };
        var tx = new FrameBatch(new byte[8 * FrameBatch.SlotSize], new FrameEntry[payloads.Length]);
        var sent = new List<byte[]>();
        for (int i = 0; i < payloads.Length; i++)
        {
            byte[] frame = Inet.Frame(b.Mac, a.Mac, ipv6, tcp, Pattern(payloads[i], i), sequence: 1000u * (uint)i, id: (ushort)i, out int l4);
            Assert.True(tx.Add(frame, Inet.NeedsChecksum(l4, tcp)));
            sent.Add(frame);
        }
        SendAll(a, tx);
        var got = ReceiveFrom(b, a.Mac, payloads.Length);
        Assert.Equal(payloads.Length, got.Count);
        foreach (byte[] frame in got)
        {
            // Frames shorter than 60 bytes arrive padded with zeros.
            int i = sent.FindIndex(s => Math.Max(s.Length, 60) == frame.Length);
            Assert.True(i >= 0, $"a {frame.Length}-byte frame nobody sent");
            Assert.All(frame.Skip(sent[i].Length), z => Assert.Equal(0, z));
            byte[] trimmed = frame.AsSpan(0, sent[i].Length).ToArray();
            Assert.True(Inet.TransportChecksumCorrect(trimmed), $"frame {i}: transport checksum wrong");
            int at = Inet.ChecksumOffset(trimmed);
            Assert.NotEqual(0, trimmed[at] | trimmed[at + 1]);
            byte[] expected = (byte[])sent[i].Clone();
            expected[at] = trimmed[at];
            expected[at + 1] = trimmed[at + 1];
            Assert.Equal(expected, trimmed);
        }

        // The same request to a NIC that did not turn the offload on: refused and counted.
        INic plain = OpenUp(bench, 0, default);
        Assert.Equal(NicOffloads.None, plain.Offloads);
        ulong rejected = plain.Stats().TxRejected;
        Assert.Equal(payloads.Length, plain.Send(tx));
        Assert.Equal(rejected + (ulong)payloads.Length, plain.Stats().TxRejected);
        Assert.Empty(ReceiveFrom(b, plain.Mac, 1, timeoutMs: 300));
    }

    // ------------------------------------------------------------------ TCP segmentation

    /// <summary>
    /// A 24,000-byte TCP payload leaves with MSS 1448 over IPv4 as 17 segments (over IPv6 MSS 1440,
    /// what a 1500-byte MTU leaves after 60 bytes of headers, also 17 segments): each at most
    /// MSS, sequence numbers contiguous, IP lengths right, IPv4 ids consecutive, IPv4 header and
    /// TCP checksums right (computed by the test), FIN/PSH never before the last, payload reassembled
    /// byte for byte.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Tcp_segmentation_cuts_a_24_KiB_train_into_correct_segments(bool ipv6)
    {
        using var bench = StartPair($"igb-tso-{(ipv6 ? 6 : 4)}");
        NicOffloads offloads = NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4 | NicOffloads.TxTcpSegmentationV6;
        INic a = OpenUp(bench, 0, With(offloads: offloads));
        INic b = OpenUp(bench, 1, default);
        Assert.Equal(offloads, a.Offloads);

        const int PayloadLength = 24_000;
        int Mss = ipv6 ? 1440 : 1448;
        const uint FirstSequence = 0xFFFF_F000;   // wraps during the train
        byte[] payload = Pattern(PayloadLength, 7);
        byte[] train = Inet.Frame(b.Mac, a.Mac, ipv6, tcp: true, payload, FirstSequence, id: 0xFFF0, out int l4, tcpFlags: 0x19);
        FrameOffload offload = Inet.NeedsChecksum(l4, tcp: true);
        offload.GsoType = ipv6 ? FrameOffload.GsoTcpV6 : FrameOffload.GsoTcpV4;
        offload.SegmentSize = (ushort)Mss;
        offload.HeaderLength = (ushort)(l4 + 20);
        var tx = new FrameBatch(new byte[16 * FrameBatch.SlotSize], new FrameEntry[1]);
        Assert.True(tx.Add(train, offload));
        ulong rejected = a.Stats().TxRejected;
        SendAll(a, tx);
        Assert.Equal(rejected, a.Stats().TxRejected);

        int expectedSegments = (PayloadLength + Mss - 1) / Mss;
        var segments = ReceiveFrom(b, a.Mac, expectedSegments);
        Assert.Equal(expectedSegments, segments.Count);
        Assert.Empty(ReceiveFrom(b, a.Mac, 1, timeoutMs: 200));
        segments = segments.OrderBy(s => Inet.Sequence(s) - FirstSequence).ToList();
        var reassembled = new List<byte>();
        for (int k = 0; k < segments.Count; k++)
        {
            byte[] s = segments[k];
            int size = s.Length - (l4 + 20);
            Assert.InRange(size, 1, Mss);
            Assert.Equal(FirstSequence + (uint)reassembled.Count, Inet.Sequence(s));
            Assert.True(Inet.TransportChecksumCorrect(s), $"segment {k}: TCP checksum wrong");
            if (ipv6) Assert.Equal(20 + size, BinaryPrimitives.ReadUInt16BigEndian(s.AsSpan(18)));
            else
            {
                Assert.Equal(20 + 20 + size, BinaryPrimitives.ReadUInt16BigEndian(s.AsSpan(16)));
                Assert.Equal((ushort)(0xFFF0 + k), BinaryPrimitives.ReadUInt16BigEndian(s.AsSpan(18)));
                Assert.Equal(0, EthernetFrames.Checksum(s.AsSpan(14, 20)));
            }
            byte flags = s[l4 + 13];
            Assert.Equal(k == segments.Count - 1 && LastSegmentKeepsFinAndPsh ? 0x19 : 0x10, flags);   // ACK always, FIN and PSH on the last
            Assert.Equal(train.AsSpan(0, l4 - (ipv6 ? 40 : 20)).ToArray(), s.AsSpan(0, l4 - (ipv6 ? 40 : 20)).ToArray());
            reassembled.AddRange(s.AsSpan(l4 + 20).ToArray());
        }
        Assert.Equal(payload, reassembled.ToArray());
    }

    /// <summary>Segmentation requests the NIC cannot honour are refused and counted, never sent whole.</summary>
    [Fact]
    public void Segmentation_requests_without_the_offload_or_with_a_bad_mss_are_refused()
    {
        using var bench = StartPair("igb-tso-refused");
        INic a = OpenUp(bench, 0, With(offloads: NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4));
        INic b = OpenUp(bench, 1, default);
        byte[] v6 = Inet.Frame(b.Mac, a.Mac, ipv6: true, tcp: true, Pattern(5000, 1), 1, 1, out int l4v6);
        byte[] v4 = Inet.Frame(b.Mac, a.Mac, ipv6: false, tcp: true, Pattern(5000, 2), 1, 1, out int l4v4);
        var tx = new FrameBatch(new byte[32 * FrameBatch.SlotSize], new FrameEntry[4]);
        FrameOffload o = Inet.NeedsChecksum(l4v6, true); o.GsoType = FrameOffload.GsoTcpV6; o.SegmentSize = 1000;
        Assert.True(tx.Add(v6, o));                                   // V6 segmentation is off
        o = Inet.NeedsChecksum(l4v4, true); o.GsoType = FrameOffload.GsoTcpV4; o.SegmentSize = 1500;
        Assert.True(tx.Add(v4, o));                                   // segments would exceed the MTU
        o.SegmentSize = 0;
        Assert.True(tx.Add(v4, o));                                   // no segment size
        o = Inet.NeedsChecksum(l4v4, true); o.GsoType = FrameOffload.GsoUdp; o.SegmentSize = 1000;
        Assert.True(tx.Add(v4, o));                                   // UDP fragmentation: not offered
        ulong rejected = a.Stats().TxRejected;
        Assert.Equal(4, a.Send(tx));
        Assert.Equal(rejected + 4, a.Stats().TxRejected);
        Assert.Empty(ReceiveFrom(b, a.Mac, 1, timeoutMs: 300));
    }

    /// <summary>
    /// Both transmit offloads on 802.1Q-tagged frames (MACLEN 18): a UDP/IPv4 frame gets its
    /// checksum, a 10,000-byte TCP/IPv4 train is cut into 7 segments of at most 1,448 bytes, every
    /// one still tagged, with right checksums and contiguous sequence numbers.
    /// </summary>
    [Fact]
    public void Checksum_and_segmentation_offloads_work_on_tagged_frames()
    {
        using var bench = StartPair("igb-offload-tagged");
        INic a = OpenUp(bench, 0, With(offloads: NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4));
        INic b = OpenUp(bench, 1, default);
        byte[] udp = Inet.Tag(Inet.Frame(b.Mac, a.Mac, false, false, Pattern(500, 3), 0, 77, out int l4), 0x0123);
        byte[] payload = Pattern(10_000, 4);
        byte[] train = Inet.Tag(Inet.Frame(b.Mac, a.Mac, false, true, payload, 5000, 100, out _), 0x0123);
        var tx = new FrameBatch(new byte[16 * FrameBatch.SlotSize], new FrameEntry[2]);
        Assert.True(tx.Add(udp, Inet.NeedsChecksum(l4 + 4, tcp: false)));
        FrameOffload gso = Inet.NeedsChecksum(l4 + 4, tcp: true);
        gso.GsoType = FrameOffload.GsoTcpV4;
        gso.SegmentSize = 1448;
        Assert.True(tx.Add(train, gso));
        ulong rejected = a.Stats().TxRejected;
        SendAll(a, tx);
        Assert.Equal(rejected, a.Stats().TxRejected);

        var got = ReceiveFrom(b, a.Mac, 8, tagged: true);
        Assert.Equal(8, got.Count);
        Assert.All(got, f => Assert.Equal(new byte[] { 0x81, 0x00, 0x01, 0x23 }, f.AsSpan(12, 4).ToArray()));
        var untagged = got.Select(Inet.Untag).ToList();
        Assert.All(untagged, f => Assert.True(Inet.TransportChecksumCorrect(f), "a transport checksum is wrong"));
        byte[] datagram = Assert.Single(untagged, f => f[23] == 17);
        Assert.Equal(Inet.Untag(udp).AsSpan(0, Inet.ChecksumOffset(datagram)).ToArray(), datagram.AsSpan(0, Inet.ChecksumOffset(datagram)).ToArray());
        var segments = untagged.Where(f => f[23] == 6).OrderBy(f => Inet.Sequence(f) - 5000u).ToList();
        Assert.Equal(7, segments.Count);
        var reassembled = new List<byte>();
        foreach (byte[] s in segments)
        {
            Assert.Equal(5000u + (uint)reassembled.Count, Inet.Sequence(s));
            Assert.InRange(s.Length - 54, 1, 1448);
            Assert.Equal(0, EthernetFrames.Checksum(s.AsSpan(14, 20)));
            reassembled.AddRange(s.AsSpan(54).ToArray());
        }
        Assert.Equal(payload, reassembled.ToArray());
    }

    // ------------------------------------------------------------------ receive checksum

    /// <summary>
    /// With RxChecksum on, good TCP/UDP frames (IPv4 and IPv6) come with DataValid and the checks
    /// made; a TCP frame whose checksum the sender (no offload) corrupted comes with L4Bad and
    /// without DataValid, and one with a corrupted IPv4 header checksum with IpBad. Without the
    /// offload nothing is reported.
    /// </summary>
    [Fact]
    public void Receive_checksum_offload_reports_good_and_bad_checksums()
    {
        using var bench = StartPair("igb-rxcsum");
        INic a = OpenUp(bench, 0, default);
        INic b = OpenUp(bench, 1, With(offloads: NicOffloads.RxChecksum));
        Assert.Equal(NicOffloads.RxChecksum, b.Offloads);

        var frames = new List<(byte[] Frame, string What)>();
        foreach (bool ipv6 in new[] { false, true })
            foreach (bool tcp in new[] { false, true })
            {
                byte[] f = Inet.Frame(b.Mac, a.Mac, ipv6, tcp, Pattern(300 + frames.Count, frames.Count), 5, (ushort)frames.Count, out _);
                Inet.FillTransportChecksum(f);
                frames.Add((f, "good"));
            }
        byte[] bad = Inet.Frame(b.Mac, a.Mac, false, true, Pattern(400, 9), 5, 9, out int l4);
        Inet.FillTransportChecksum(bad);
        bad[l4 + 16] ^= 0x5A;
        frames.Add((bad, "bad-l4"));
        byte[] badIp = Inet.Frame(b.Mac, a.Mac, false, false, Pattern(410, 10), 5, 10, out _);
        Inet.FillTransportChecksum(badIp);
        badIp[14 + 10] ^= 0x33;
        frames.Add((badIp, "bad-ip"));

        var tx = new FrameBatch(new byte[16 * FrameBatch.SlotSize], new FrameEntry[frames.Count]);
        foreach (var (f, _) in frames) Assert.True(tx.Add(f));
        SendAll(a, tx);
        var got = ReceiveFrom(b, a.Mac, frames.Count, keepOffload: true);
        Assert.Equal(frames.Count, got.Count);
        foreach (var (f, what) in frames)
        {
            var match = got.Single(g => g.Length == f.Length + 0 && g.AsSpan().SequenceEqual(f));
            FrameOffload o = _lastOffloads[match];
            bool ipv4 = f[12] == 0x08;
            switch (what)
            {
                case "good":
                    Assert.True((o.Flags & FrameOffload.DataValid) != 0, $"good frame ({f.Length} bytes) without DataValid");
                    Assert.Equal(FrameOffload.L4Checked | (ipv4 ? FrameOffload.IpChecked : 0), o.Checks);
                    break;
                case "bad-l4":
                    Assert.Equal(0, o.Flags & FrameOffload.DataValid);
                    Assert.Equal(FrameOffload.L4Checked | FrameOffload.L4Bad, o.Checks & (FrameOffload.L4Checked | FrameOffload.L4Bad));
                    break;
                default:
                    Assert.Equal(0, o.Flags & FrameOffload.DataValid);
                    Assert.Equal(FrameOffload.IpChecked | FrameOffload.IpBad, o.Checks & (FrameOffload.IpChecked | FrameOffload.IpBad));
                    break;
            }
        }

        // The offload off: nothing reported.
        INic c = OpenUp(bench, 1, default);
        var one = new FrameBatch(new byte[2 * FrameBatch.SlotSize], new FrameEntry[1]);
        Assert.True(one.Add(frames[0].Frame));
        SendAll(a, one);
        var plain = ReceiveFrom(c, a.Mac, 1, keepOffload: true);
        Assert.Single(plain);
        Assert.Equal(0, _lastOffloads[plain[0]].Flags);
        Assert.Equal(0, _lastOffloads[plain[0]].Checks);
    }

    // ------------------------------------------------------------------ helpers

    private readonly Dictionary<byte[], FrameOffload> _lastOffloads = new(ReferenceEqualityComparer.Instance);

    private static byte[] Pattern(int length, int seed)
    {
        var p = new byte[length];
        for (int i = 0; i < length; i++) p[i] = (byte)(seed * 31 + i * 7 + (i >> 8));
        return p;
    }

    /// <summary>A frame of <paramref name="length"/> bytes with the marker EtherType, the index at 18 (or 22 tagged) and a pattern.</summary>
    private static byte[] PatternFrame(MacAddress to, MacAddress from, int length, int index, bool? tagged = null)
    {
        bool tag = tagged ?? length > 1514;
        var f = Pattern(length, index);
        to.CopyTo(f);
        from.CopyTo(f.AsSpan(6));
        int type = 12;
        if (tag)
        {
            f[12] = 0x81; f[13] = 0x00; f[14] = 0x00; f[15] = 0x07;
            type = 16;
        }
        f[type] = Marker >> 8;
        f[type + 1] = Marker & 0xFF;
        f[type + 2] = (byte)index;
        return f;
    }

    private static void SendAll(INic nic, FrameBatch batch)
    {
        int sent = 0;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (sent < batch.Count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {sent} of {batch.Count} frames consumed");
            sent += nic.Send(batch.Skip(sent));
            Assert.Equal(NicStatus.Ok, nic.LastError);
        }
    }

    /// <summary>Marked frames from <paramref name="from"/>, with their index, until <paramref name="count"/> arrived or 5 s passed.</summary>
    private static List<(int Index, byte[] Frame)> ReceiveMarked(INic nic, MacAddress from, int count, int slots = 64)
    {
        var got = new List<(int, byte[])>();
        var rx = new FrameBatch(new byte[slots * FrameBatch.SlotSize], new FrameEntry[slots]);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (got.Count < count && DateTime.UtcNow < deadline)
        {
            nic.WaitForReceive(20_000);
            int n = nic.Receive(ref rx);
            for (int i = 0; i < n; i++)
            {
                byte[] f = rx.Frame(i).ToArray();
                if (f.Length < 20 || MacAddress.From(f.AsSpan(6)).Bits != from.Bits) continue;
                int type = f[12] == 0x81 && f[13] == 0x00 ? 16 : 12;
                if ((f[type] << 8 | f[type + 1]) != Marker) continue;
                got.Add((f[type + 2], f));
            }
        }
        // Anything late would be a duplicate: look once more.
        nic.WaitForReceive(50_000);
        int late = nic.Receive(ref rx);
        for (int i = 0; i < late; i++)
        {
            byte[] f = rx.Frame(i).ToArray();
            if (f.Length >= 20 && MacAddress.From(f.AsSpan(6)).Bits == from.Bits) got.Add((-1, f));
        }
        return got;
    }

    /// <summary>IP frames from <paramref name="from"/> until <paramref name="count"/> arrived or the time passed.</summary>
    private List<byte[]> ReceiveFrom(INic nic, MacAddress from, int count, int timeoutMs = 5000, bool keepOffload = false, bool tagged = false)
    {
        var got = new List<byte[]>();
        var rx = new FrameBatch(new byte[64 * FrameBatch.SlotSize], new FrameEntry[64]);
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (got.Count < count && DateTime.UtcNow < deadline)
        {
            nic.WaitForReceive(20_000);
            int n = nic.Receive(ref rx);
            for (int i = 0; i < n; i++)
            {
                byte[] f = rx.Frame(i).ToArray();
                if (f.Length < 34 || MacAddress.From(f.AsSpan(6)).Bits != from.Bits) continue;
                int type = f[12] << 8 | f[13];
                if (tagged && type == 0x8100) type = f[16] << 8 | f[17];
                if (type != EtherType.Ipv4 && type != 0x86DD) continue;
                if (keepOffload) _lastOffloads[f] = rx.Offload(i);
                got.Add(f);
            }
        }
        return got;
    }
}

/// <summary>IPv4/IPv6 TCP/UDP frames and their checksums, computed here independently of any NIC (RFC 791, 793, 768, 8200, 1071).</summary>
internal static class Inet
{
    /// <summary>
    /// Ethernet + IPv4 (id <paramref name="id"/>, correct header checksum) or IPv6 + TCP (20-byte
    /// header, ACK plus <paramref name="tcpFlags"/>) or UDP, with the transport checksum 0;
    /// <paramref name="l4"/> is where the transport header starts.
    /// </summary>
    public static byte[] Frame(MacAddress to, MacAddress from, bool ipv6, bool tcp, byte[] payload, uint sequence, ushort id, out int l4, byte tcpFlags = 0x10)
    {
        int ipHeader = ipv6 ? 40 : 20, l4Header = tcp ? 20 : 8;
        l4 = 14 + ipHeader;
        var f = new byte[l4 + l4Header + payload.Length];
        to.CopyTo(f);
        from.CopyTo(f.AsSpan(6));
        Span<byte> ip = f.AsSpan(14);
        byte protocol = (byte)(tcp ? 6 : 17);
        if (ipv6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x86DD);
            ip[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)(l4Header + payload.Length));
            ip[6] = protocol;
            ip[7] = 64;
            for (int i = 0; i < 16; i++) { ip[8 + i] = (byte)(0xFD + i); ip[24 + i] = (byte)(0xFD - i); }
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0800);
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + l4Header + payload.Length));
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], id);
            ip[6] = 0x40;   // DF
            ip[8] = 64;
            ip[9] = protocol;
            ip[12] = 10; ip[13] = 0; ip[14] = 0; ip[15] = 1;
            ip[16] = 10; ip[17] = 0; ip[18] = 0; ip[19] = 2;
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], EthernetFrames.Checksum(ip[..20]));
        }
        Span<byte> t = f.AsSpan(l4);
        BinaryPrimitives.WriteUInt16BigEndian(t, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(t[2..], 5001);
        if (tcp)
        {
            BinaryPrimitives.WriteUInt32BigEndian(t[4..], sequence);
            BinaryPrimitives.WriteUInt32BigEndian(t[8..], 0x01020304);
            t[12] = 5 << 4;
            t[13] = tcpFlags;
            BinaryPrimitives.WriteUInt16BigEndian(t[14..], 65535);
        }
        else BinaryPrimitives.WriteUInt16BigEndian(t[4..], (ushort)(8 + payload.Length));
        payload.CopyTo(t[l4Header..]);
        return f;
    }

    /// <summary>The frame with an 802.1Q tag (VLAN <paramref name="tci"/>) after the addresses.</summary>
    public static byte[] Tag(byte[] f, ushort tci)
    {
        var t = new byte[f.Length + 4];
        f.AsSpan(0, 12).CopyTo(t);
        t[12] = 0x81; t[13] = 0x00;
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(14), tci);
        f.AsSpan(12).CopyTo(t.AsSpan(16));
        return t;
    }

    /// <summary>The frame without its 802.1Q tag.</summary>
    public static byte[] Untag(byte[] t)
    {
        var f = new byte[t.Length - 4];
        t.AsSpan(0, 12).CopyTo(f);
        t.AsSpan(16).CopyTo(f.AsSpan(12));
        return f;
    }

    /// <summary>NeedsChecksum for the transport header at <paramref name="l4"/>.</summary>
    public static FrameOffload NeedsChecksum(int l4, bool tcp) => new()
    {
        Flags = FrameOffload.NeedsChecksum,
        ChecksumStart = (ushort)l4,
        ChecksumOffset = (ushort)(tcp ? 16 : 6),
    };

    private static (int L4, int Length, bool Tcp) Layout(byte[] f)
    {
        bool v6 = (f[12] << 8 | f[13]) == 0x86DD;
        int l4 = v6 ? 54 : 14 + (f[14] & 0xF) * 4;
        int length = v6 ? BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(18)) : BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(16)) - (f[14] & 0xF) * 4;
        return (l4, length, f[v6 ? 20 : 23] == 6);
    }

    /// <summary>Where the transport checksum is.</summary>
    public static int ChecksumOffset(byte[] f)
    {
        var (l4, _, tcp) = Layout(f);
        return l4 + (tcp ? 16 : 6);
    }

    /// <summary>The TCP sequence number.</summary>
    public static uint Sequence(byte[] f) => BinaryPrimitives.ReadUInt32BigEndian(f.AsSpan(Layout(f).L4 + 4));

    private static uint Sum(ReadOnlySpan<byte> d, uint sum)
    {
        int i = 0;
        for (; i + 1 < d.Length; i += 2) sum += (uint)(d[i] << 8 | d[i + 1]);
        if (i < d.Length) sum += (uint)(d[i] << 8);
        return sum;
    }

    private static uint TransportSum(byte[] f)
    {
        var (l4, length, tcp) = Layout(f);
        bool v6 = (f[12] << 8 | f[13]) == 0x86DD;
        uint sum = (uint)(tcp ? 6 : 17) + (uint)length;
        sum = v6 ? Sum(f.AsSpan(22, 32), sum) : Sum(f.AsSpan(26, 8), sum);
        sum = Sum(f.AsSpan(l4, length), sum);
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return sum;
    }

    /// <summary>True when the TCP/UDP checksum (pseudo-header included) is right.</summary>
    public static bool TransportChecksumCorrect(byte[] f) => TransportSum(f) == 0xFFFF;

    /// <summary>Computes and writes the TCP/UDP checksum.</summary>
    public static void FillTransportChecksum(byte[] f)
    {
        int at = ChecksumOffset(f);
        f[at] = 0; f[at + 1] = 0;
        ushort c = (ushort)~TransportSum(f);
        if (c == 0) c = 0xFFFF;
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(at), c);
    }
}

/// <summary><see cref="IgbOffloadSuite"/> on the in-process igb models.</summary>
[Trait("Category", "Model")]
public sealed class ModelIgbOffloadTests : IgbOffloadSuite
{
    /// <summary>The suite writing its figures to <paramref name="output"/>.</summary>
    public ModelIgbOffloadTests(Xunit.Abstractions.ITestOutputHelper output) => Output = output;

    /// <inheritdoc/>
    protected override string Backend => "models";

    /// <inheritdoc/>
    protected override INicBench StartPair(string name)
    {
        var bench = new ModelBench(NicKind.Igb, Wiring.BackToBack);
        for (int i = 0; i < 2; i++) ((Runtime.Models.Igb.IgbModel)bench.Model(i)).AutonegotiationTime = TimeSpan.FromMilliseconds(20);
        return bench;
    }

    /// <inheritdoc/>
    protected override bool LastSegmentKeepsFinAndPsh => true;

    /// <inheritdoc/>
    protected override NicStatus Open(INicBench bench, int index, IgbOptions options, out INic nic)
    {
        NicStatus status = IgbNic<ModelAccess, ModelHost>.Initialise(new ModelHost(((ModelBench)bench).Model(index), $"igb{index}"), options, out var n);
        nic = n;
        return status;
    }
}

/// <summary><see cref="IgbOffloadSuite"/> on QEMU's igb (two on a hub), through qtest.</summary>
[Trait("Category", "Qtest")]
public sealed class QtestIgbOffloadTests : IgbOffloadSuite
{
    /// <summary>The suite writing its figures to <paramref name="output"/>.</summary>
    public QtestIgbOffloadTests(Xunit.Abstractions.ITestOutputHelper output) => Output = output;

    /// <inheritdoc/>
    protected override string Backend => "QEMU (qtest)";

    /// <inheritdoc/>
    protected override INicBench StartPair(string name) => new QtestBench(NicKind.Igb, Wiring.BackToBack, name);

    /// <inheritdoc/>
    protected override bool LastSegmentKeepsFinAndPsh => false;

    /// <inheritdoc/>
    protected override NicStatus Open(INicBench bench, int index, IgbOptions options, out INic nic)
    {
        NicStatus status = IgbNic<QtestAccess, QtestHost>.Initialise(((QtestBench)bench).Machine.NicHost(index), options, out var n);
        nic = n;
        return status;
    }
}
