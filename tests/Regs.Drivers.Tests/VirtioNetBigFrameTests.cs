using System;
using System.Linq;
using Regs.Drivers.Tests.Fakes;
using Regs.Drivers.Virtio;
using Regs.Net;
using Regs.Nic;
using Regs.Virtio;
using Xunit;

namespace Regs.Drivers.Tests;

using Nic = VirtioNet<FakeConfigAccess, FakeVirtioTransport, FakeHost>;

/// <summary>
/// Frames longer than a 2 KiB slot through the virtio-net driver against the scripted device
/// (<see cref="FakeVirtioDevice"/>): receive gathered from several buffers by num_buffers
/// (MRG_RXBUF, 5.1.6.4) or held in big buffers, transmit over a chain of slots, and a device that
/// lies in num_buffers (0, more than posted, a frame whose buffers run out), which must end in a
/// protocol error and a reset, never in bytes written past the frame.
/// </summary>
[Trait("Category", "Model")]
public sealed class VirtioNetBigFrameTests : IDisposable
{
    private const VirtioNetFeatures Offered = VirtioNetFeatures.MAC | VirtioNetFeatures.STATUS | VirtioNetFeatures.MTU
        | VirtioNetFeatures.RING_EVENT_IDX | VirtioNetFeatures.RING_INDIRECT_DESC | VirtioNetFeatures.VERSION_1
        | VirtioNetFeatures.MRG_RXBUF;

    private readonly FakeHostState _host = new(16 << 20);
    private readonly FakeVirtioDevice _device;

    public VirtioNetBigFrameTests()
    {
        _device = new FakeVirtioDevice(_host) { Offered = Offered };
        _device.SetMac(MacAddress.From(new byte[] { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }));
        _device.SetLinkUp(true);
        _device.SetMtu(9000);
        _device.QueueSizeMax[0] = _device.QueueSizeMax[1] = 16;
    }

    public void Dispose() => _host.Dispose();

    private Nic Started(VirtioNetOptions options = default)
    {
        Assert.Equal(NicStatus.Ok, Nic.Initialise(new FakeVirtioTransport(_device), new FakeHost(_host), options, out Nic nic));
        return nic;
    }

    private static byte[] Frame(int length, int seed)
        => Enumerable.Range(0, length).Select(i => (byte)(i * 13 + seed + (i >> 8))).ToArray();

    private static FrameBatch Batch(int slots) => new(new byte[slots * FrameBatch.SlotSize], new FrameEntry[slots]);

    // ---------------------------------------------------------------- receive

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public void A_9000_byte_frame_arrives_whole_and_once_among_60_byte_frames(bool mergeable, bool noIndirect)
    {
        if (!mergeable) _device.Offered &= ~VirtioNetFeatures.MRG_RXBUF;
        Nic nic = Started(new VirtioNetOptions { NoIndirect = noIndirect });
        Assert.Equal(9018, nic.MaxFrameLength);
        byte[] small = Frame(60, 1), big = Frame(9018, 2), last = Frame(60, 3);

        Assert.True(_device.Deliver(small));
        if (mergeable) Assert.Equal(5, _device.DeliverMerged(big, 5));     // 12 + 9018 bytes over 2060-byte buffers
        else Assert.True(_device.Deliver(big));
        Assert.True(_device.Deliver(last));

        var batch = Batch(16);
        Assert.Equal(3, nic.Receive(ref batch));
        Assert.Equal(small, batch.Frame(0).ToArray());
        Assert.Equal(big, batch.Frame(1).ToArray());
        Assert.Equal(last, batch.Frame(2).ToArray());
        Assert.Equal(0, nic.Receive(ref batch));
        Assert.Equal((3ul, 9138ul, 0ul), (nic.Stats().RxFrames, nic.Stats().RxBytes, nic.Stats().ProtocolErrors));
        // Every buffer went back to the device.
        Assert.Equal(noIndirect ? 8 : 16, _device.Queues[0].AvailableIndex - (mergeable ? 7 : 3));
    }

    [Fact]
    public void A_frame_that_does_not_fit_the_rest_of_the_batch_waits_for_the_next_call()
    {
        Nic nic = Started();
        byte[] small = Frame(60, 4), big = Frame(9018, 5);
        Assert.True(_device.Deliver(small));
        Assert.Equal(5, _device.DeliverMerged(big, 5));

        var batch = Batch(5);                                   // 60 takes a slot: 4 slots left, 9018 needs 5
        Assert.Equal(1, nic.Receive(ref batch));
        Assert.Equal(small, batch.Frame(0).ToArray());
        Assert.Equal(1, nic.Receive(ref batch));
        Assert.Equal(big, batch.Frame(0).ToArray());
        Assert.Equal(0ul, nic.Stats().RxDropped);
    }

    [Fact]
    public void A_frame_longer_than_an_empty_batch_is_dropped_counted_and_the_ring_keeps_going()
    {
        Nic nic = Started();
        byte[] big = Frame(9018, 6), small = Frame(60, 7);
        Assert.Equal(5, _device.DeliverMerged(big, 5));
        Assert.True(_device.Deliver(small));

        var batch = Batch(2);                                   // 4 KiB: the 9018-byte frame can never fit
        Assert.Equal(1, nic.Receive(ref batch));
        Assert.Equal(small, batch.Frame(0).ToArray());
        Assert.Equal(1ul, nic.Stats().RxDropped);
        Assert.Equal(0ul, nic.Stats().ProtocolErrors);
    }

    [Theory]
    [InlineData(0, null)]              // num_buffers 0: no packet is in no buffer
    [InlineData(200, null)]            // more buffers than the driver has out (16)
    [InlineData(5, 3)]                 // five announced, three used: the frame runs out
    public void A_num_buffers_the_device_could_not_mean_is_a_protocol_error_and_a_reset_with_nothing_written_past_the_batch(int numBuffers, int? used)
    {
        Nic nic = Started();
        Assert.Equal(used ?? 5, _device.DeliverMerged(Frame(9018, 8), (ushort)numBuffers, used));
        byte[] data = new byte[8 * FrameBatch.SlotSize];
        Array.Fill(data, (byte)0xA5);
        var batch = new FrameBatch(data, new FrameEntry[8]);

        nic.Receive(ref batch);

        Assert.Equal(0, batch.Count);
        Assert.Equal(1ul, nic.Stats().ProtocolErrors);
        Assert.Equal(1ul, nic.Stats().Recoveries);
        Assert.Equal(NicStatus.DeviceError, nic.LastError);
        // The device was reset and started again with every buffer posted anew.
        Assert.Equal(16, _device.Queues[0].AvailableIndex);
        Assert.True(_device.Deliver(Frame(60, 9)));
        Assert.Equal(1, nic.Receive(ref batch));
        Assert.Equal(Frame(60, 9), batch.Frame(0).ToArray());
        Assert.All(data.Skip(FrameBatch.SlotSize), b => Assert.Equal(0xA5, b));   // past the frame: untouched
    }

    // ---------------------------------------------------------------- transmit

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_9000_byte_frame_is_sent_as_one_chain_over_several_slots_and_its_slots_come_back(bool noIndirect)
    {
        Nic nic = Started(new VirtioNetOptions { NoIndirect = noIndirect });
        byte[] big = Frame(9018, 10), small = Frame(60, 11);
        var batch = Batch(8);
        Assert.True(batch.Add(big));
        Assert.True(batch.Add(small));

        for (int round = 0; round < 5; round++)                 // more frames than slots over the rounds: slots are reclaimed
        {
            Assert.Equal(2, nic.Send(in batch));
            var sent = _device.TakeTransmitted();
            Assert.Equal(2, sent.Count);
            Assert.Equal(big, sent[0]);
            Assert.Equal(small, sent[1]);
        }
        Assert.Equal(0, nic.Send(default));
        Assert.Equal((10ul, 5ul * 9078), (nic.Stats().TxFrames, nic.Stats().TxBytes));
        Assert.Equal(0ul, nic.Stats().TxRejected + nic.Stats().ProtocolErrors);
    }

    [Fact]
    public void A_frame_waits_when_fewer_slots_are_free_than_it_needs()
    {
        Nic nic = Started(new VirtioNetOptions { NoIndirect = true });   // 8 slots
        var batch = Batch(16);
        Assert.True(batch.Add(Frame(9018, 12)));                // 5 slots
        Assert.True(batch.Add(Frame(9018, 13)));                // 5 more: only 3 left

        Assert.Equal(1, nic.Send(in batch));
        Assert.Single(_device.TakeTransmitted());
        Assert.Equal(1, nic.Send(batch.Skip(1)));                // the first came back: room now
        Assert.Equal(Frame(9018, 13), _device.TakeTransmitted().Single());
    }

    [Fact]
    public void A_plain_frame_longer_than_the_MTU_allows_is_rejected()
    {
        Nic nic = Started();
        var batch = Batch(8);
        Assert.True(batch.Add(new byte[9019]));

        Assert.Equal(1, nic.Send(in batch));

        Assert.Empty(_device.TakeTransmitted());
        Assert.Equal(1ul, nic.Stats().TxRejected);
    }

    // ---------------------------------------------------------------- receive offload metadata

    private const VirtioNetFeatures GuestOffloads = VirtioNetFeatures.GUEST_CSUM | VirtioNetFeatures.GUEST_TSO4 | VirtioNetFeatures.GUEST_ECN;
    private const NicOffloads RxOffloads = NicOffloads.RxChecksum | NicOffloads.RxTcpCoalescingV4 | NicOffloads.RxTcpEcn;

    [Theory]
    [InlineData(64u, true)]            // 64 buffers of 2 KiB gather a 64 KiB frame
    [InlineData(16u, false)]           // 16 cannot: GUEST_TSO4 (and GUEST_ECN with it) refused (5.1.6.3)
    public void Receive_coalescing_is_negotiated_only_when_the_buffers_hold_a_64_KiB_frame(uint queue, bool coalescing)
    {
        _device.Offered |= GuestOffloads;
        _device.QueueSizeMax[0] = _device.QueueSizeMax[1] = queue;

        Nic nic = Started(new VirtioNetOptions { Offloads = RxOffloads });

        Assert.Equal(coalescing, (_device.Accepted!.Value & VirtioNetFeatures.GUEST_TSO4) != 0);
        Assert.Equal(coalescing, (_device.Accepted!.Value & VirtioNetFeatures.GUEST_ECN) != 0);
        Assert.True((_device.Accepted!.Value & VirtioNetFeatures.GUEST_CSUM) != 0);
        Assert.Equal(coalescing ? RxOffloads : NicOffloads.RxChecksum, nic.Offloads);
    }

    [Fact]
    public void A_coalesced_frame_with_a_partial_checksum_is_received_whole_with_its_metadata()
    {
        _device.Offered |= GuestOffloads;
        _device.QueueSizeMax[0] = _device.QueueSizeMax[1] = 64;
        Nic nic = Started(new VirtioNetOptions { Offloads = RxOffloads });
        byte[] train = Frame(30000, 14);
        // flags NEEDS_CSUM, gso_type TCPV4|ECN, hdr_len 54, gso_size 1448, csum_start 34, csum_offset 16
        byte[] header = { 1, 0x81, 54, 0, 0xA8, 0x05, 34, 0, 16, 0 };

        int buffers = _device.DeliverMerged(train, 15, header: header);

        Assert.Equal(15, buffers);
        var batch = Batch(20);
        Assert.Equal(1, nic.Receive(ref batch));
        Assert.Equal(train, batch.Frame(0).ToArray());
        FrameOffload o = batch.Offload(0);
        Assert.Equal((FrameOffload.NeedsChecksum, (byte)(FrameOffload.GsoTcpV4 | FrameOffload.GsoEcn)), (o.Flags, o.GsoType));
        Assert.Equal((54, 1448, 34, 16), (o.HeaderLength, o.SegmentSize, o.ChecksumStart, o.ChecksumOffset));
    }

    [Theory]
    [InlineData(new byte[] { 1, 0, 0, 0, 0, 0, 0xF0, 0, 16, 0 })]      // NEEDS_CSUM, the field past the frame's end
    [InlineData(new byte[] { 0, 4, 54, 0, 0xA8, 5, 0, 0, 0, 0 })]      // a TCPV6 train: GUEST_TSO6 not negotiated
    [InlineData(new byte[] { 0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0 })]       // an undefined flag
    public void Receive_metadata_that_cannot_be_true_drops_the_frame_and_counts_it(byte[] header)
    {
        _device.Offered |= GuestOffloads;
        _device.QueueSizeMax[0] = _device.QueueSizeMax[1] = 64;
        Nic nic = Started(new VirtioNetOptions { Offloads = RxOffloads });

        Assert.Equal(1, _device.DeliverMerged(Frame(200, 15), 1, header: header));
        Assert.True(_device.Deliver(Frame(60, 16)));
        var batch = Batch(4);

        Assert.Equal(1, nic.Receive(ref batch));
        Assert.Equal(Frame(60, 16), batch.Frame(0).ToArray());
        Assert.Equal(1ul, nic.Stats().RxDropped);
        Assert.Equal(0ul, nic.Stats().ProtocolErrors);
    }

    [Fact]
    public void DATA_VALID_under_GUEST_CSUM_says_the_device_checked_the_checksum()
    {
        _device.Offered |= VirtioNetFeatures.GUEST_CSUM;
        Nic nic = Started(new VirtioNetOptions { Offloads = NicOffloads.RxChecksum });

        Assert.Equal(1, _device.DeliverMerged(Frame(300, 17), 1, header: new byte[] { 2 }));
        var batch = Batch(4);
        Assert.Equal(1, nic.Receive(ref batch));

        Assert.Equal(FrameOffload.DataValid, batch.Offload(0).Flags);
        Assert.Equal(FrameOffload.L4Checked, batch.Offload(0).Checks);
    }

    // ---------------------------------------------------------------- transmit offload metadata

    [Fact]
    public void The_transmit_header_carries_the_frames_checksum_and_segmentation_requests()
    {
        _device.Offered |= VirtioNetFeatures.CSUM | VirtioNetFeatures.HOST_TSO4;
        Nic nic = Started(new VirtioNetOptions { Offloads = NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4 });
        var batch = Batch(16);
        var train = new FrameOffload { Flags = FrameOffload.NeedsChecksum, GsoType = FrameOffload.GsoTcpV4, HeaderLength = 54, SegmentSize = 1448, ChecksumStart = 34, ChecksumOffset = 16 };
        Assert.True(batch.Add(Frame(20000, 18), train));

        Assert.Equal(1, nic.Send(in batch));

        FakeSplitQueue tx = _device.Queues[1];
        Assert.True(tx.TryPopAvailable(out ushort head));
        byte[] sent = tx.ReadChain(head);
        Assert.Equal(12 + 20000, sent.Length);
        Assert.Equal(new byte[] { 1, 1, 54, 0, 0xA8, 5, 34, 0, 16, 0, 0, 0 }, sent.AsSpan(0, 12).ToArray());
        Assert.Equal(Frame(20000, 18), sent.AsSpan(12).ToArray());
        Assert.Equal(0ul, nic.Stats().TxRejected);
    }
}
