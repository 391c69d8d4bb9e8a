using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Regs.Drivers.Virtio;
using Regs.Nic;
using Regs.Runtime;
using Regs.Runtime.Models;
using Regs.Runtime.Models.Virtio;
using Regs.Testing.NicKinds;
using Regs.Virtio;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>
/// Jumbo frames and offloads between two virtio-net-pci models wired back to back: 9000-byte
/// frames mixed with 60-byte ones, byte-exact and exactly once, with and without MRG_RXBUF; the
/// MTU the driver takes from the device; transmit checksum completion and TCP segmentation done by
/// the device model, checked at the far NIC with a checksum computed here; receive DATA_VALID; a
/// frame asking for an offload the NIC did not negotiate is rejected, never sent.
/// </summary>
[Trait("Category", "Model")]
public sealed class VirtioModelBigFrameTests : IDisposable
{
    private static readonly byte[] MacA = { 0x52, 0x54, 0x00, 0x12, 0x35, 0x01 };
    private static readonly byte[] MacB = { 0x52, 0x54, 0x00, 0x12, 0x35, 0x02 };

    private readonly ModelNetwork _network = new();
    private readonly List<DeviceModel> _models = new();

    public void Dispose()
    {
        foreach (var model in _models)
        {
            Assert.Equal(0, model.DmaFaults);
            Assert.Equal(0, model.StrayWrites);
            model.Dispose();
        }
    }

    private (INic A, INic B, VirtioNetDevice DeviceA, VirtioNetDevice DeviceB) Pair(Action<VirtioNetDevice> configure, VirtioNetOptions options = default)
    {
        var a = new VirtioPciModel(_network, MacA, dmaDeviceAddress: 0x4000_0000ul, dmaBytes: NicModels.DmaBytes);
        var b = new VirtioPciModel(_network, MacB, dmaDeviceAddress: 0x8000_0000ul, dmaBytes: NicModels.DmaBytes);
        _models.Add(a);
        _models.Add(b);
        configure(a.Net);
        configure(b.Net);
        _network.Connect(a, b);
        Assert.Equal(NicStatus.Ok, NicModels.Open(NicKind.VirtioPci, a, "a", options, out INic nicA));
        Assert.Equal(NicStatus.Ok, NicModels.Open(NicKind.VirtioPci, b, "b", options, out INic nicB));
        return (nicA, nicB, a.Net, b.Net);
    }

    private static VirtioNetFeatures Features(INic nic) => ((VirtioNet<ModelAccess, VirtioPciTransport<ModelAccess>, ModelHost>)nic).Features;
    private static uint Mtu(INic nic) => ((VirtioNet<ModelAccess, VirtioPciTransport<ModelAccess>, ModelHost>)nic).Mtu;

    // A frame from one NIC to the other: Ethernet header, a sequence number, a pattern.
    private static byte[] Frame(INic to, INic from, int length, int sequence)
    {
        byte[] frame = new byte[length];
        to.Mac.CopyTo(frame);
        from.Mac.CopyTo(frame.AsSpan(6));
        frame[12] = 0x88;
        frame[13] = 0xB5;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(14), sequence);
        for (int i = 18; i < length; i++) frame[i] = (byte)(i * 31 + sequence);
        return frame;
    }

    // Sends every frame (retrying what the ring had no room for) and collects what arrives at the
    // other NIC until as many frames came or two seconds passed.
    private static List<(byte[] Frame, FrameOffload Offload)> Exchange(INic from, INic to, IReadOnlyList<(byte[] Frame, FrameOffload Offload)> frames, int expected)
    {
        var received = new List<(byte[], FrameOffload)>();
        var rx = new FrameBatch(new byte[40 * FrameBatch.SlotSize], new FrameEntry[40]);
        int next = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(5) && (next < frames.Count || received.Count < expected))
        {
            if (next < frames.Count)
            {
                var tx = new FrameBatch(new byte[40 * FrameBatch.SlotSize], new FrameEntry[8]);
                int queued = 0;
                while (next + queued < frames.Count && tx.Add(frames[next + queued].Frame, frames[next + queued].Offload)) queued++;
                next += from.Send(in tx);
            }
            else from.Send(default);
            to.WaitForReceive(1_000);
            int n = to.Receive(ref rx);
            for (int i = 0; i < n; i++) received.Add((rx.Frame(i).ToArray(), rx.Offload(i)));
        }
        Assert.Equal(frames.Count, next);
        return received;
    }

    // ------------------------------------------------------------------ jumbo frames

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Frames_of_9000_bytes_mixed_with_60_byte_ones_cross_byte_exact_and_exactly_once(bool mergeable)
    {
        var (a, b, devA, devB) = Pair(d => { d.Mtu = 9000; d.OffersMergeableBuffers = mergeable; });

        Assert.Equal(9018, a.MaxFrameLength);
        Assert.Equal(mergeable, (Features(a) & VirtioNetFeatures.MRG_RXBUF) != 0);
        foreach (var (from, to) in new[] { (a, b), (b, a) })
        {
            var frames = Enumerable.Range(0, 300).Select(i => (Frame(to, from, i % 3 == 0 ? 60 : 9018, i), default(FrameOffload))).ToList();
            var got = Exchange(from, to, frames, frames.Count);
            Assert.Equal(frames.Count, got.Count);                  // exactly once: none lost, none twice
            for (int i = 0; i < frames.Count; i++) Assert.Equal(frames[i].Item1, got[i].Frame);
        }
        Assert.Equal(0ul, a.Stats().ProtocolErrors + b.Stats().ProtocolErrors + a.Stats().RxDropped + b.Stats().RxDropped);
        Assert.Equal(0, devA.MtuViolations + devB.MtuViolations + devA.FramesDropped + devB.FramesDropped);
    }

    [Theory]
    [InlineData(1280, true, 1280)]
    [InlineData(9000, true, 9000)]
    [InlineData(9000, false, 9000)]
    [InlineData(65535, true, 9000)]      // MRG_RXBUF holds a 64 KiB frame: accepted, the driver keeps to its 9000
    [InlineData(65535, false, 1500)]     // 10 KiB big buffers cannot: refused
    [InlineData(60, true, 1500)]         // below 68 (5.1.4.1): refused
    public void The_MTU_comes_from_the_device_within_what_the_driver_holds(int deviceMtu, bool mergeable, int mtu)
    {
        var (a, b, devA, devB) = Pair(d => { d.Mtu = (ushort)deviceMtu; d.OffersMergeableBuffers = mergeable; });

        Assert.Equal((uint)mtu, Mtu(a));
        Assert.Equal(mtu + 18, a.MaxFrameLength);
        Assert.Equal(deviceMtu >= 68 && (deviceMtu <= 9000 || mergeable), (Features(a) & VirtioNetFeatures.MTU) != 0);
        var frames = new[] { (Frame(b, a, mtu + 18, 1), default(FrameOffload)), (Frame(b, a, 60, 2), default(FrameOffload)) };
        var got = Exchange(a, b, frames, 2);
        Assert.Equal(frames.Select(f => f.Item1), got.Select(g => g.Frame));
        Assert.Equal(0, devA.MtuViolations + devB.MtuViolations);
    }

    // ------------------------------------------------------------------ offloads

    private const NicOffloads TxOffloads = NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4 | NicOffloads.TxTcpSegmentationV6 | NicOffloads.TxTcpEcn;

    [Fact]
    public void Offloads_are_off_unless_asked_for_and_on_when_asked_and_offered()
    {
        var (plain, _, _, _) = Pair(d => d.OffersOffloads = true);
        Assert.Equal(NicOffloads.None, plain.Offloads);
        Assert.Equal((VirtioNetFeatures)0, Features(plain) & (VirtioNetFeatures.CSUM | VirtioNetFeatures.GUEST_CSUM | VirtioNetFeatures.HOST_TSO4));

        var (asked, _, _, _) = Pair(d => { d.OffersOffloads = true; d.OffersMergeableBuffers = true; }, new VirtioNetOptions { Offloads = TxOffloads | NicOffloads.RxChecksum | NicOffloads.RxTcpCoalescingV4 });
        // GUEST_TSO4 is not offered by the model: not on.
        Assert.Equal(TxOffloads | NicOffloads.RxChecksum, asked.Offloads);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_partial_checksum_is_completed_by_the_device_and_arrives_right_and_marked_valid(bool v6)
    {
        var (a, b, devA, devB) = Pair(d => { d.OffersOffloads = true; d.OffersMergeableBuffers = true; d.Mtu = 9000; },
            new VirtioNetOptions { Offloads = TxOffloads | NicOffloads.RxChecksum });
        byte[] udp = Packets.Udp(b.Mac, a.Mac, v6, payload: 3000, seed: 5);
        byte[] original = (byte[])udp.Clone();
        var offload = Packets.PartialChecksum(udp, v6, Packets.UdpChecksumOffset);

        var got = Exchange(a, b, new[] { (udp, offload) }, 1);

        var frame = Assert.Single(got);
        Assert.True(Packets.L4ChecksumRight(frame.Frame, v6), "the checksum the device completed is wrong");
        Assert.Equal(original.Length, frame.Frame.Length);
        int field = offload.ChecksumStart + offload.ChecksumOffset;
        Assert.Equal(original.AsSpan(0, field).ToArray(), frame.Frame.AsSpan(0, field).ToArray());   // only the checksum changed
        Assert.Equal(original.AsSpan(field + 2).ToArray(), frame.Frame.AsSpan(field + 2).ToArray());
        Assert.Equal(FrameOffload.DataValid, frame.Offload.Flags);                                   // GUEST_CSUM: the device checked it
        Assert.Equal(FrameOffload.L4Checked, frame.Offload.Checks);
        Assert.Equal(1, devB.RxMarkedDataValid);
        Assert.Equal(0, devA.OffloadViolations);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void A_TCP_train_is_cut_into_right_segments_by_the_device(bool v6, bool ecn)
    {
        var (a, b, devA, _) = Pair(d => { d.OffersOffloads = true; d.OffersMergeableBuffers = true; },
            new VirtioNetOptions { Offloads = TxOffloads });
        const int payload = 20000, mss = 1448;
        byte[] train = Packets.Tcp(b.Mac, a.Mac, v6, payload, seed: 9, sequence: 0x1234_5678, flags: (byte)(ecn ? 0x98 : 0x18));
        var offload = Packets.PartialChecksum(train, v6, Packets.TcpChecksumOffset);
        offload.GsoType = (byte)((v6 ? FrameOffload.GsoTcpV6 : FrameOffload.GsoTcpV4) | (ecn ? FrameOffload.GsoEcn : 0));
        offload.SegmentSize = mss;
        offload.HeaderLength = (ushort)(offload.ChecksumStart + 20);

        int count = (payload + mss - 1) / mss;
        var got = Exchange(a, b, new[] { (train, offload) }, count);

        Assert.Equal(count, got.Count);
        Assert.Equal(1, devA.TrainsSegmented);
        int headers = offload.ChecksumStart + 20;
        var joined = new List<byte>();
        for (int k = 0; k < count; k++)
        {
            byte[] s = got[k].Frame;
            int n = Math.Min(mss, payload - k * mss);
            Assert.Equal(headers + n, s.Length);                                           // size on the wire
            Assert.True(Packets.L4ChecksumRight(s, v6), $"segment {k}: TCP checksum wrong");
            if (!v6) Assert.True(Packets.Ipv4HeaderChecksumRight(s), $"segment {k}: IPv4 header checksum wrong");
            Assert.Equal(0x1234_5678u + (uint)(k * mss), BinaryPrimitives.ReadUInt32BigEndian(s.AsSpan(offload.ChecksumStart + 4)));
            byte flags = s[offload.ChecksumStart + 13];
            Assert.Equal(k == count - 1, (flags & 0x08) != 0);                              // PSH on the last only
            Assert.Equal(ecn && k == 0, (flags & 0x80) != 0);                               // CWR on the first only
            Assert.Equal(train.AsSpan(0, 14).ToArray(), s.AsSpan(0, 14).ToArray());
            joined.AddRange(s.Skip(headers));
        }
        Assert.Equal(train.Skip(headers), joined);                                          // the payload, byte-exact, once
    }

    [Fact]
    public void A_frame_asking_for_an_offload_not_negotiated_is_rejected_and_never_reaches_the_wire()
    {
        var (a, b, devA, _) = Pair(d => { d.OffersOffloads = true; d.OffersMergeableBuffers = true; },
            new VirtioNetOptions { Offloads = NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4 });   // no V6, no ECN
        byte[] v4 = Packets.Tcp(b.Mac, a.Mac, false, 4000, 1, 1, 0x18);
        byte[] v6 = Packets.Tcp(b.Mac, a.Mac, true, 4000, 2, 1, 0x18);
        var ecn = Packets.PartialChecksum(v4, false, Packets.TcpChecksumOffset);
        ecn.GsoType = FrameOffload.GsoTcpV4 | FrameOffload.GsoEcn;
        ecn.SegmentSize = 1000;
        var six = Packets.PartialChecksum(v6, true, Packets.TcpChecksumOffset);
        six.GsoType = FrameOffload.GsoTcpV6;
        six.SegmentSize = 1000;
        var noCsum = new FrameOffload { GsoType = FrameOffload.GsoTcpV4, SegmentSize = 1000 };   // a train without NEEDS_CSUM (5.1.6.2.1)
        var valid = new FrameOffload { Flags = FrameOffload.DataValid };                          // a receive-only flag
        var outside = new FrameOffload { Flags = FrameOffload.NeedsChecksum, ChecksumStart = 3000, ChecksumOffset = 2000 };

        var tx = new FrameBatch(new byte[20 * FrameBatch.SlotSize], new FrameEntry[8]);
        Assert.True(tx.Add(v4, ecn));
        Assert.True(tx.Add(v6, six));
        Assert.True(tx.Add(v4, noCsum));
        Assert.True(tx.Add(v4.AsSpan(0, 1000), valid));
        Assert.True(tx.Add(v4.AsSpan(0, 1000), outside));
        Assert.Equal(5, a.Send(in tx));

        Assert.Equal(5ul, a.Stats().TxRejected);
        a.Send(default);
        Assert.False(b.WaitForReceive(50_000));
        Assert.Equal(0, devA.FramesTransmitted + devA.OffloadViolations);
    }

    [Fact]
    public void Without_offloads_a_NEEDS_CSUM_frame_is_rejected()
    {
        var (a, b, devA, _) = Pair(d => d.OffersOffloads = true);
        byte[] udp = Packets.Udp(b.Mac, a.Mac, false, 100, 3);
        var tx = new FrameBatch(new byte[FrameBatch.SlotSize], new FrameEntry[1]);
        Assert.True(tx.Add(udp, Packets.PartialChecksum(udp, false, Packets.UdpChecksumOffset)));

        Assert.Equal(1, a.Send(in tx));

        Assert.Equal(1ul, a.Stats().TxRejected);
        Assert.Equal(0, devA.FramesTransmitted);
    }
}
