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
/// The virtio-net driver's own logic against a scripted device (<see cref="FakeVirtioDevice"/>
/// through <see cref="FakeVirtioTransport"/>), apart from any device model: which features it
/// accepts and refuses, what it does when FEATURES_OK does not stick, how it reads the
/// configuration (MAC, MTU, link status; a generation that changes in the middle of a read or
/// never holds still), how it sizes and lays out its queues, and how it recovers (DEVICE_NEEDS_RESET,
/// a reset behind its back, a reset that never completes). Time is the fake host's virtual
/// clock, so every bounded wait is measured exactly.
/// </summary>
[Trait("Category", "Model")]
public sealed class VirtioNetLogicTests : IDisposable
{
    // What the driver asks for (drivers/README.md, "Negotiated features").
    private const VirtioNetFeatures Wanted = VirtioNetFeatures.MAC | VirtioNetFeatures.STATUS | VirtioNetFeatures.MTU
        | VirtioNetFeatures.RING_EVENT_IDX | VirtioNetFeatures.RING_INDIRECT_DESC | VirtioNetFeatures.VERSION_1
        | VirtioNetFeatures.ACCESS_PLATFORM | VirtioNetFeatures.ORDER_PLATFORM | VirtioNetFeatures.MRG_RXBUF;
    // Offered too, never accepted unless the options ask for an offload (CSUM, GUEST_CSUM,
    // GUEST_TSO4) or never at all (a control queue, another ring layout).
    private const VirtioNetFeatures Unwanted = VirtioNetFeatures.CSUM | VirtioNetFeatures.GUEST_CSUM
        | VirtioNetFeatures.CTRL_VQ | VirtioNetFeatures.MQ
        | VirtioNetFeatures.GUEST_TSO4 | VirtioNetFeatures.RING_PACKED | VirtioNetFeatures.IN_ORDER;

    private const DeviceStatus Handshake = DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK | DeviceStatus.DRIVER_OK;

    private static readonly MacAddress StationMac = MacAddress.From(new byte[] { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 });
    private static readonly MacAddress OtherMac = MacAddress.From(new byte[] { 0x02, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE });

    private readonly FakeHostState _host = new();
    private readonly FakeVirtioDevice _device;

    public VirtioNetLogicTests()
    {
        _device = new FakeVirtioDevice(_host) { Offered = Wanted | Unwanted };
        _device.SetMac(StationMac);
        _device.SetLinkUp(true);
        _device.SetMtu(1500);
    }

    public void Dispose() => _host.Dispose();

    private NicStatus Initialise(out Nic nic, VirtioNetOptions options = default)
        => Nic.Initialise(new FakeVirtioTransport(_device), new FakeHost(_host), options, out nic);

    private Nic Started(VirtioNetOptions options = default)
    {
        Assert.Equal(NicStatus.Ok, Initialise(out Nic nic, options));
        return nic;
    }

    // ---------------------------------------------------------------- negotiation

    [Fact]
    public void Accepts_exactly_the_features_it_wants_of_those_offered_and_walks_the_status_handshake_in_order()
    {
        Nic nic = Started();

        Assert.Equal(Wanted, _device.Accepted);
        Assert.Equal(Wanted, nic.Features);
        // 3.1.1: reset, ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK, each adding to the last.
        var writes = _device.StatusWrites;
        Assert.Equal(new DeviceStatus[]
        {
            DeviceStatus.ACKNOWLEDGE,
            DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER,
            DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK,
            Handshake,
        }, writes.Skip(writes.LastIndexOf(0) + 1));
        Assert.Equal(Handshake, _device.Status);
        Assert.True(_device.DmaAllowed > 0);
        // Every receive buffer posted and the device told once, at the offset it gave.
        Assert.Equal(8, _device.Queues[0].AvailableIndex);
        Assert.Equal(1, _device.Notifications[0]);
        Assert.Equal(0, _device.WrongNotifyOffsets);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void NoIndirect_and_NoEventIdx_refuse_the_ring_features_and_buffers_become_chains(bool noIndirect, bool noEventIdx)
    {
        Nic nic = Started(new VirtioNetOptions { NoIndirect = noIndirect, NoEventIdx = noEventIdx });

        VirtioNetFeatures accepted = _device.Accepted!.Value;
        Assert.Equal(!noIndirect, (accepted & VirtioNetFeatures.RING_INDIRECT_DESC) != 0);
        Assert.Equal(!noEventIdx, (accepted & VirtioNetFeatures.RING_EVENT_IDX) != 0);
        Assert.Equal(accepted, nic.Features);
        // A buffer is the header segment then the frame segment, both device-writable on receive:
        // one indirect table per entry, or a two-descriptor chain (half as many buffers).
        Assert.Equal(noIndirect ? 4 : 8, _device.Queues[0].AvailableIndex);
        Assert.True(_device.Queues[0].TryPopAvailable(out ushort head));
        var chain = _device.Queues[0].Chain(head);
        Assert.Equal(2, chain.Count);
        Assert.Equal((12u, true), (chain[0].Length, chain[0].Writable));
        Assert.Equal(((uint)FrameBatch.SlotSize, true), (chain[1].Length, chain[1].Writable));
    }

    [Fact]
    public void A_device_that_leaves_FEATURES_OK_clear_is_marked_FAILED_and_never_started()
    {
        _device.AcceptsFeatures = _ => false;

        Assert.Equal(NicStatus.Unsupported, Initialise(out Nic nic));

        Assert.Equal(NicStatus.Unsupported, nic.LastError);
        Assert.NotEqual(0, (int)(_device.Status & DeviceStatus.FAILED));
        Assert.DoesNotContain(_device.StatusWrites, s => (s & DeviceStatus.DRIVER_OK) != 0);
        Assert.False(_device.Queues[0].Enabled || _device.Queues[1].Enabled);
        // Unsupported is final: no retry touches the device later.
        int accesses = _device.StatusLog.Count;
        _host.Advance(1_000_000);
        Assert.Equal(0, nic.Send(default));
        Assert.Equal(accesses, _device.StatusLog.Count);
    }

    [Fact]
    public void A_modern_device_without_VERSION_1_is_refused_before_any_feature_is_written()
    {
        _device.Offered = Wanted & ~VirtioNetFeatures.VERSION_1;

        Assert.Equal(NicStatus.Unsupported, Initialise(out Nic nic));

        Assert.Null(_device.Accepted);
        Assert.NotEqual(0, (int)(_device.Status & DeviceStatus.FAILED));
        Assert.Equal(NicStatus.Unsupported, nic.LastError);
    }

    [Theory]
    [InlineData(false, 10u)]       // virtio_net_hdr without num_buffers
    [InlineData(true, 12u)]        // 5.1.6.1: with MRG_RXBUF the legacy header has num_buffers too
    public void A_legacy_device_is_driven_without_VERSION_1_or_FEATURES_OK_and_with_the_legacy_header(bool mergeable, uint headerLength)
    {
        _device.Modern = false;
        _device.Offered = Wanted & ~VirtioNetFeatures.VERSION_1 & ~VirtioNetFeatures.ACCESS_PLATFORM & ~VirtioNetFeatures.ORDER_PLATFORM;
        if (!mergeable) _device.Offered &= ~VirtioNetFeatures.MRG_RXBUF;

        Nic nic = Started();

        Assert.Equal(_device.Offered, _device.Accepted);
        Assert.DoesNotContain(_device.StatusWrites, s => (s & DeviceStatus.FEATURES_OK) != 0);
        Assert.Equal(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.DRIVER_OK, _device.Status);
        Assert.True(_device.Queues[0].TryPopAvailable(out ushort head));
        Assert.Equal(headerLength, _device.Queues[0].Chain(head)[0].Length);
        Assert.Equal(StationMac.Bits, nic.Mac.Bits);
    }

    [Fact]
    public void Under_a_translating_host_ACCESS_PLATFORM_is_required()
    {
        _host.TranslatesDma = true;
        _device.Offered = Wanted & ~VirtioNetFeatures.ACCESS_PLATFORM;

        Assert.Equal(NicStatus.Unsupported, Initialise(out _));

        Assert.NotEqual(0, (int)(_device.Status & DeviceStatus.FAILED));
        Assert.DoesNotContain(_device.StatusWrites, s => (s & DeviceStatus.FEATURES_OK) != 0);
    }

    // ---------------------------------------------------------------- configuration

    [Fact]
    public void Reads_MAC_MTU_and_link_status_from_the_configuration_and_follows_link_changes()
    {
        _device.SetMtu(1280);
        _device.SetLinkUp(false);

        Nic nic = Started();

        Assert.Equal(StationMac.Bits, nic.Mac.Bits);
        Assert.Equal(1280u, nic.Mtu);
        Assert.False(nic.Link().Up);
        _device.ChangeConfig(d => d.SetLinkUp(true));
        Assert.True(nic.Link().Up);
        Assert.Equal(1ul, nic.Stats().LinkChanges);
    }

    [Fact]
    public void Without_MAC_MTU_and_STATUS_the_defaults_apply_and_the_configuration_is_not_read()
    {
        _device.Offered = VirtioNetFeatures.VERSION_1;

        Nic nic = Started();

        // 5.1.4.2: no MAC offered, a random locally administered unicast one (never 00:00:00:00:00:00).
        Assert.NotEqual(0ul, nic.Mac.Bits);
        Assert.Equal(2ul, nic.Mac.Bits & 3);
        Assert.Equal(1500u, nic.Mtu);
        Assert.True(nic.Link().Up);
        Assert.Equal(0, _device.ConfigReads);
    }

    [Fact]
    public void The_random_MAC_comes_from_the_seed_and_survives_a_recovery()
    {
        _device.Offered = VirtioNetFeatures.VERSION_1 | VirtioNetFeatures.STATUS;

        Nic nic = Started(new VirtioNetOptions { MacSeed = 42 });
        ulong first = nic.Mac.Bits;
        _device.RequestReset();
        Assert.False(nic.WaitForReceive(50_000));
        Assert.Equal(1ul, nic.Stats().Recoveries);
        Assert.Equal(first, nic.Mac.Bits);                        // the same address after the reset

        using var other = new FakeHostState();
        var device = new FakeVirtioDevice(other) { Offered = _device.Offered };
        Assert.Equal(NicStatus.Ok, Nic.Initialise(new FakeVirtioTransport(device), new FakeHost(other), new VirtioNetOptions { MacSeed = 42 }, out Nic same));
        Assert.Equal(first, same.Mac.Bits);                       // a seed gives one address
        using var third = new FakeHostState();
        device = new FakeVirtioDevice(third) { Offered = _device.Offered };
        Assert.Equal(NicStatus.Ok, Nic.Initialise(new FakeVirtioTransport(device), new FakeHost(third), new VirtioNetOptions { MacSeed = 43 }, out Nic different));
        Assert.NotEqual(first, different.Mac.Bits);
        Assert.Equal(2ul, different.Mac.Bits & 3);
    }

    // ---------------------------------------------------------------- MTU (5.1.4.2)

    [Theory]
    [InlineData(1280, true, 8, true, 1280)]
    [InlineData(68, true, 8, true, 68)]                 // the smallest valid mtu (5.1.4.1)
    [InlineData(2031, true, 8, true, 2031)]             // no longer bounded by one 2 KiB buffer
    [InlineData(9000, true, 8, true, 9000)]             // MRG_RXBUF: gathered from 2 KiB buffers
    [InlineData(9000, false, 8, true, 9000)]            // big buffers: 10 KiB data segments
    [InlineData(9001, true, 8, true, 9000)]             // above the bound, buffers hold it: the bound
    [InlineData(65535, true, 64, true, 9000)]           // 64 buffers gather 64 KiB: the bound
    [InlineData(65535, true, 8, false, 1500)]           // 8 buffers cannot hold a 64 KiB frame: refused
    [InlineData(65535, false, 8, false, 1500)]          // big buffers of 10 KiB cannot either
    [InlineData(67, true, 8, false, 1500)]              // below 68: invalid, declined (Linux's virtnet_validate)
    [InlineData(0, false, 8, false, 1500)]
    public void VIRTIO_NET_F_MTU_is_accepted_only_for_an_mtu_the_driver_honours(int mtu, bool mergeable, uint queue, bool accepted, int expected)
    {
        _device.SetMtu((ushort)mtu);
        _device.QueueSizeMax[0] = _device.QueueSizeMax[1] = queue;
        if (!mergeable) _device.Offered &= ~VirtioNetFeatures.MRG_RXBUF;

        Nic nic = Started();

        Assert.Equal(accepted, (_device.Accepted!.Value & VirtioNetFeatures.MTU) != 0);
        Assert.Equal(mergeable, (_device.Accepted!.Value & VirtioNetFeatures.MRG_RXBUF) != 0);
        Assert.Equal((uint)expected, nic.Mtu);
        Assert.Equal(expected + 18, nic.MaxFrameLength);
        // 5.1.4.2: the receive buffers hold a frame of the mtu (the device's when accepted) behind
        // the header: one buffer's data segment, or with MRG_RXBUF all of them.
        long needed = (accepted ? mtu : expected) + 18;
        Assert.True(_device.Queues[0].TryPopAvailable(out ushort head));
        var chain = _device.Queues[0].Chain(head);
        long held = mergeable ? (long)_device.Queues[0].AvailableIndex * (chain[0].Length + chain[1].Length) - chain[0].Length : chain[1].Length;
        Assert.True(held >= needed, $"buffers hold {held} bytes, a frame of the mtu needs {needed}");
        Assert.Equal(mergeable ? 2048u : 10240u, chain[1].Length);     // big buffers sized at initialisation from MaxMtu
    }

    [Fact]
    public void MaxMtu_bounds_the_mtu_taken_from_the_device()
    {
        _device.SetMtu(9000);

        Nic nic = Started(new VirtioNetOptions { MaxMtu = 1500 });

        Assert.True((_device.Accepted!.Value & VirtioNetFeatures.MTU) != 0);   // the buffers hold 9018 (MRG_RXBUF)
        Assert.Equal(1500u, nic.Mtu);
        Assert.Equal(1518, nic.MaxFrameLength);
    }

    [Fact]
    public void The_mtu_is_read_before_FEATURES_OK()
    {
        _device.SetMtu(65535);
        // A device that checks the driver's choice: MTU accepted with an mtu the buffers cannot hold is refused.
        _device.AcceptsFeatures = f => (f & VirtioNetFeatures.MTU) == 0;

        Nic nic = Started();

        Assert.Equal(1500u, nic.Mtu);
    }

    [Fact]
    public void A_configuration_space_too_short_for_a_field_means_its_feature_is_not_accepted()
    {
        _device.ConfigLength = 8;                                 // mac and status, no mtu

        Nic nic = Started();

        Assert.Equal(Wanted & ~VirtioNetFeatures.MTU, _device.Accepted);
        Assert.Equal(1500u, nic.Mtu);
        Assert.Equal(StationMac.Bits, nic.Mac.Bits);
    }

    // ---------------------------------------------------------------- ORDER_PLATFORM

    [Fact]
    public void ORDER_PLATFORM_is_accepted_when_offered_so_a_device_that_requires_it_runs()
    {
        _device.AcceptsFeatures = f => (f & VirtioNetFeatures.ORDER_PLATFORM) != 0;

        Nic nic = Started();

        Assert.True(nic.Features.HasFlag(VirtioNetFeatures.ORDER_PLATFORM));
    }

    [Fact]
    public void A_configuration_change_in_the_middle_of_a_read_is_read_again_whole()
    {
        // The third configuration read (the MAC's second byte, after the mtu read before FEATURES_OK) sees a new MAC and generation: the
        // first pass is torn (StationMac's first byte, OtherMac's others) and must be redone.
        _device.ChangeConfigAt(3, d => d.SetMac(OtherMac));

        Nic nic = Started();

        Assert.Equal(OtherMac.Bits, nic.Mac.Bits);
        Assert.True(_device.ConfigReads >= 2 * 6, $"{_device.ConfigReads} configuration reads: the MAC was not read twice");
    }

    [Fact]
    public void A_generation_that_never_holds_still_fails_in_bounded_reads_and_recovers_once_it_settles()
    {
        _device.GenerationChurns = true;
        var options = new VirtioNetOptions { RecoveryIntervalMicroseconds = 20_000 };

        Assert.Equal(NicStatus.Timeout, Initialise(out Nic nic, options));

        Assert.Equal(NicStatus.Timeout, nic.LastError);
        Assert.Equal(1ul, nic.Stats().Timeouts);
        Assert.NotEqual(0, (int)(_device.Status & DeviceStatus.FAILED));
        Assert.InRange(_device.ConfigReads, 2 * 6, 1000);        // retried, and gave up
        Assert.Equal(default, nic.Link());                        // not running

        // Not retried before the recovery interval, then retried once the configuration holds still.
        _device.GenerationChurns = false;
        int accesses = _device.StatusLog.Count;
        Assert.Equal(0, nic.Send(default));
        Assert.Equal(accesses, _device.StatusLog.Count);
        _host.Advance(20_000);
        Assert.Equal(0, nic.Send(default));
        Assert.True(nic.Link().Up);
        Assert.Equal(Handshake, _device.Status);
        Assert.Equal(1ul, nic.Stats().Recoveries);
        Assert.Equal(NicStatus.Timeout, nic.LastError);           // kept after recovering by itself
    }

    [Fact]
    public void A_configuration_interrupt_refreshes_the_link_at_once_in_interrupt_mode()
    {
        Nic nic = Started(new VirtioNetOptions { InterruptMode = true });
        ulong before = _host.Now;

        _device.ChangeConfig(d => d.SetLinkUp(false));
        Assert.False(nic.WaitForReceive(100_000));

        Assert.True(_host.Now - before < 100_000, "the wait did not end on the interrupt");
        Assert.Equal(1ul, nic.Stats().Interrupts);
        Assert.Equal(1ul, nic.Stats().LinkChanges);
        Assert.False(nic.Link().Up);
    }

    // ---------------------------------------------------------------- queues

    [Theory]
    [InlineData(8u, 8u, 0u, 8u)]
    [InlineData(200u, 100u, 0u, 64u)]        // the smaller maximum, rounded down to a power of two
    [InlineData(1024u, 1024u, 0u, 256u)]     // the default
    [InlineData(1024u, 1024u, 48u, 32u)]     // the option, rounded down
    [InlineData(8u, 4u, 0u, 4u)]
    public void Queue_size_is_the_smallest_of_option_and_device_maxima_as_a_power_of_two(uint rxMax, uint txMax, uint option, uint expected)
    {
        _device.QueueSizeMax[0] = rxMax;
        _device.QueueSizeMax[1] = txMax;

        Started(new VirtioNetOptions { QueueSize = option });

        Assert.Equal(expected, _device.Queues[0].Size);
        Assert.Equal(expected, _device.Queues[1].Size);
    }

    [Fact]
    public void A_queue_too_small_for_one_buffer_is_unsupported()
    {
        _device.QueueSizeMax[1] = 1;
        Assert.Equal(NicStatus.Unsupported, Initialise(out _));
        Assert.False(_device.Queues[0].Enabled);
    }

    [Theory]
    [InlineData(8u)]
    [InlineData(256u)]
    public void Queue_areas_follow_the_legacy_split_ring_layout(uint size)
    {
        _device.QueueSizeMax[0] = _device.QueueSizeMax[1] = size;
        Started();

        // virtio 1.2 2.7 and 2.7.2: descriptors 16 bytes each, the available ring (6 + 2 n bytes)
        // right after them, the used ring at the next 4096-byte boundary.
        foreach (FakeSplitQueue q in _device.Queues)
        {
            Assert.Equal(0ul, q.DescriptorArea % 4096);
            Assert.Equal(q.DescriptorArea + 16ul * size, q.DriverArea);
            Assert.Equal(q.DescriptorArea + (16ul * size + 6 + 2ul * size + 4095) / 4096 * 4096, q.DeviceArea);
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public void A_frame_sent_reaches_the_device_and_a_frame_delivered_is_received_once(bool modern, bool noIndirect)
    {
        _device.Modern = modern;
        if (!modern) _device.Offered = Wanted & ~VirtioNetFeatures.VERSION_1;
        Nic nic = Started(new VirtioNetOptions { NoIndirect = noIndirect });
        byte[] sent = Enumerable.Range(0, 60).Select(i => (byte)(i * 3 + 1)).ToArray();
        byte[] delivered = Enumerable.Range(0, 70).Select(i => (byte)(255 - i)).ToArray();
        var batch = new FrameBatch(new byte[4 * FrameBatch.SlotSize], new FrameEntry[4]);

        Assert.True(batch.Add(sent));
        Assert.Equal(1, nic.Send(in batch));
        Assert.Equal(1, _device.Notifications[1]);
        var frames = _device.TakeTransmitted();
        Assert.Single(frames);
        Assert.Equal(sent, frames[0]);
        Assert.Equal(0, nic.Send(default));                    // reclaims the used buffer
        Assert.Equal((1ul, 60ul), (nic.Stats().TxFrames, nic.Stats().TxBytes));

        Assert.True(_device.Deliver(delivered));
        Assert.True(nic.WaitForReceive(1_000));
        var received = new FrameBatch(new byte[4 * FrameBatch.SlotSize], new FrameEntry[4]);
        Assert.Equal(1, nic.Receive(ref received));
        Assert.Equal(delivered, received.Frame(0).ToArray());
        Assert.Equal(0, nic.Receive(ref received));
        Assert.Equal((1ul, 70ul), (nic.Stats().RxFrames, nic.Stats().RxBytes));
        Assert.Equal(0ul, nic.Stats().ProtocolErrors);
    }

    [Fact]
    public void A_transmit_used_length_is_ignored_and_a_send_is_no_protocol_error()
    {
        _device.ReportsTransmitLength = true;                     // kvmtool: the bytes read
        Nic nic = Started();
        var batch = new FrameBatch(new byte[FrameBatch.SlotSize], new FrameEntry[1]);
        Assert.True(batch.Add(new byte[100]));

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(1, nic.Send(in batch));
            Assert.Single(_device.TakeTransmitted());
        }
        Assert.Equal(0, nic.Send(default));                     // reclaims the used buffers

        Assert.Equal(0ul, nic.Stats().ProtocolErrors);
        Assert.Equal(0ul, nic.Stats().Recoveries);
        Assert.Equal((3ul, 300ul), (nic.Stats().TxFrames, nic.Stats().TxBytes));
    }

    [Fact]
    public void Receive_buffers_are_available_before_DRIVER_OK()
    {
        Started();

        Assert.Equal(8, _device.ReceiveBuffersAtDriverOk);       // 3.1.1 step 7 before step 8
        Assert.Equal(1, _device.Notifications[0]);
    }

    // ---------------------------------------------------------------- interrupts

    [Theory]
    [InlineData(false, 0u, false)]
    [InlineData(true, 0u, true)]
    [InlineData(true, 1u, false)]
    public void The_line_interrupt_is_enabled_only_when_the_driver_sleeps_on_it(bool interruptMode, uint vectors, bool expected)
    {
        _host.InterruptVectors = vectors;
        _device.SupportsMsix = vectors > 0;

        Started(new VirtioNetOptions { InterruptMode = interruptMode });

        Assert.Equal(expected, _device.LineInterruptEnabled);
    }

    [Fact]
    public void Polling_acknowledges_a_configuration_change_it_notices()
    {
        Nic nic = Started();

        _device.ChangeConfig(d => d.SetLinkUp(false));
        Assert.False(nic.Link().Up);

        Assert.False(_device.ConfigInterrupt);
    }

    [Fact]
    public void With_MSI_X_the_ISR_is_never_read_and_changes_come_through_the_generation()
    {
        _host.InterruptVectors = 1;
        _device.SupportsMsix = true;
        Nic nic = Started(new VirtioNetOptions { InterruptMode = true });

        Assert.True(_device.Deliver(new byte[64]));
        Assert.True(nic.WaitForReceive(100_000));
        var received = new FrameBatch(new byte[4 * FrameBatch.SlotSize], new FrameEntry[4]);
        Assert.Equal(1, nic.Receive(ref received));
        ulong before = _host.Now;
        _device.ChangeConfig(d => d.SetLinkUp(false));
        Assert.False(nic.WaitForReceive(100_000));
        Assert.True(_host.Now - before < 100_000, "the wait did not end on the configuration interrupt");

        Assert.False(nic.Link().Up);
        Assert.Equal(0, _device.IsrReadsWithMsix);               // 4.1.4.5.1
        Assert.True(nic.Stats().Interrupts >= 1);
    }

    // ---------------------------------------------------------------- recovery

    [Fact]
    public void DEVICE_NEEDS_RESET_is_noticed_on_the_idle_path_and_the_device_reset_and_started_again()
    {
        Nic nic = Started();
        int accesses = _device.StatusLog.Count;

        _device.RequestReset();
        Assert.False(nic.WaitForReceive(50_000));

        NicStats stats = nic.Stats();
        Assert.Equal((1ul, 1ul), (stats.DeviceErrors, stats.Recoveries));
        Assert.Equal(NicStatus.DeviceError, nic.LastError);
        var writes = _device.StatusLog.Skip(accesses).Where(e => e.Write).Select(e => e.Value).ToList();
        Assert.Equal(0, (int)writes[0]);                        // reset first, then the handshake again
        Assert.Equal(Handshake, writes[^1]);
        Assert.Equal(Handshake, _device.Status);
        Assert.Equal(8, _device.Queues[0].AvailableIndex);      // receive buffers posted afresh
        Assert.True(nic.Link().Up);
    }

    [Fact]
    public void A_device_reset_behind_the_driver_is_noticed_and_the_device_started_again()
    {
        Nic nic = Started();

        _device.ResetBehindDriver();
        Assert.False(nic.WaitForReceive(50_000));

        Assert.Equal((1ul, 1ul), (nic.Stats().DeviceErrors, nic.Stats().Recoveries));
        Assert.Equal(Handshake, _device.Status);
        Assert.True(_device.Queues[0].Enabled && _device.Queues[1].Enabled);
    }

    [Fact]
    public void A_reset_that_never_completes_gives_up_after_the_reset_timeout_and_is_retried_once_per_interval()
    {
        const uint resetTimeout = 5_000, recoveryInterval = 20_000;
        Nic nic = Started(new VirtioNetOptions { ResetTimeoutMicroseconds = resetTimeout, RecoveryIntervalMicroseconds = recoveryInterval });
        int accesses = _device.StatusLog.Count;

        _device.ResetNeverCompletes = true;
        _device.RequestReset();
        Assert.False(nic.WaitForReceive(50_000));

        Assert.Equal(NicStatus.Timeout, nic.LastError);
        Assert.Equal((1ul, 1ul, 1ul), (nic.Stats().DeviceErrors, nic.Stats().Timeouts, nic.Stats().Recoveries));
        // The wait for the reset: from writing 0 to the last status read, the timeout and at most
        // one poll interval more, about one read per 10 us.
        var log = _device.StatusLog.Skip(accesses).ToList();
        int reset = log.FindLastIndex(e => e.Write && e.Value == 0);
        var reads = log.Skip(reset + 1).Where(e => !e.Write).ToList();
        Assert.InRange<ulong>(reads[^1].Time - log[reset].Time, resetTimeout, resetTimeout + 10);
        Assert.InRange(reads.Count, 2, (int)(resetTimeout / 10 + 2));
        Assert.Equal(reads.Count, log.Count - reset - 1);        // nothing but reads after the reset write

        // Stopped: nothing sent, and the device left alone until the recovery interval is over.
        var batch = new FrameBatch(new byte[FrameBatch.SlotSize], new FrameEntry[1]);
        Assert.True(batch.Add(new byte[60]));
        accesses = _device.StatusLog.Count;
        for (int i = 0; i < 100; i++) Assert.Equal(0, nic.Send(in batch));
        Assert.False(nic.WaitForReceive(0));
        Assert.Equal(accesses, _device.StatusLog.Count);

        // Once the device resets again, the next call after the interval starts it.
        _device.ResetNeverCompletes = false;
        _host.Advance(recoveryInterval);
        Assert.Equal(1, nic.Send(in batch));
        Assert.Single(_device.TakeTransmitted());
        Assert.Equal(2ul, nic.Stats().Recoveries);
        Assert.Equal(Handshake, _device.Status);
    }

    [Fact]
    public void Initialise_with_a_reset_that_never_completes_returns_Timeout_after_the_reset_timeout_and_stays_down()
    {
        const uint resetTimeout = 5_000;
        _device.Status = Handshake;                               // as firmware left it
        _device.ResetNeverCompletes = true;
        ulong before = _host.Now;

        Assert.Equal(NicStatus.Timeout, Initialise(out Nic nic, new VirtioNetOptions { ResetTimeoutMicroseconds = resetTimeout }));

        Assert.InRange<ulong>(_host.Now - before, resetTimeout, resetTimeout + 10);
        Assert.Equal(NicStatus.Timeout, nic.LastError);
        Assert.Equal(1ul, nic.Stats().Timeouts);
        // No queues were ever set up: nothing to restart with, so nothing is tried, even later.
        _device.ResetNeverCompletes = false;
        int accesses = _device.StatusLog.Count;
        _host.Advance(10_000_000);
        Assert.Equal(0, nic.Send(default));
        Assert.False(nic.WaitForReceive(0));
        Assert.Equal(NicStatus.NotInitialised, nic.Reset());
        Assert.Equal(accesses, _device.StatusLog.Count);
    }

    [Fact]
    public void A_reset_that_completes_late_is_waited_for()
    {
        _device.Status = Handshake;                               // as firmware left it
        _device.ResetReads = 30;
        ulong before = _host.Now;

        Started();

        Assert.True(_host.Now - before >= 30 * 10, "the driver did not poll the status until the reset completed");
        Assert.Equal(Handshake, _device.Status);
    }
}
