using System;
using System.Diagnostics;
using Regs.Drivers.Virtio;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime;
using Regs.Runtime.Models;
using Regs.Runtime.Models.Igb;
using Regs.Runtime.Models.Virtio;
using Regs.Runtime.Pci;
using Regs.Testing.NicKinds;
using Regs.Virtio;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>
/// The virtio-net driver against device models switched to behave as other implementations (or a
/// hostile device) do, each switch exposing a finding of issue 14: kvmtool's transmit used
/// lengths, an MTU the driver can or cannot honour, a device that requires ORDER_PLATFORM, no
/// MAC, a transitional PCI ID, capabilities that point outside their BAR, a level interrupt left
/// asserted while polling, receive buffers posted late, and a legacy virtio-mmio device's single
/// feature word. Two models of one transport are wired back to back where traffic is needed.
/// </summary>
[Trait("Category", "Model")]
public sealed class VirtioModelTests : IDisposable
{
    private static readonly byte[] MacA = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x01 };
    private static readonly byte[] MacB = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x02 };
    private const ushort EtherType = 0x88B5;   // IEEE 802 local experimental

    private readonly ModelNetwork _network = new();
    private readonly System.Collections.Generic.List<DeviceModel> _models = new();

    public void Dispose()
    {
        foreach (var model in _models)
        {
            Assert.Equal(0, model.DmaFaults);
            model.Dispose();
        }
    }

    private VirtioPciModel Pci(byte[] mac, int index, bool transitional = false)
    {
        var model = new VirtioPciModel(_network, mac, dmaDeviceAddress: 0x4000_0000ul * (ulong)(index + 1), dmaBytes: NicModels.DmaBytes, transitional: transitional);
        _models.Add(model);
        return model;
    }

    private VirtioMmioModel Mmio(byte[] mac, int index, int version)
    {
        var model = new VirtioMmioModel(_network, mac, version, dmaDeviceAddress: 0x4000_0000ul * (ulong)(index + 1), dmaBytes: NicModels.DmaBytes);
        _models.Add(model);
        return model;
    }

    // Two PCI functions back to back, each switched by configure before its driver opens it.
    private (INic A, INic B, VirtioPciModel ModelA, VirtioPciModel ModelB) PciPair(Action<VirtioNetDevice> configure, VirtioNetOptions options = default)
    {
        VirtioPciModel a = Pci(MacA, 0), b = Pci(MacB, 1);
        configure(a.Net);
        configure(b.Net);
        _network.Connect(a, b);
        Assert.Equal(NicStatus.Ok, NicModels.Open(NicKind.VirtioPci, a, "a", options, out INic nicA));
        Assert.Equal(NicStatus.Ok, NicModels.Open(NicKind.VirtioPci, b, "b", options, out INic nicB));
        return (nicA, nicB, a, b);
    }

    // Sends one frame of length bytes from one NIC and checks the other receives it byte for byte.
    private static void OneFrame(INic from, INic to, int length)
    {
        byte[] frame = new byte[length];
        to.Mac.CopyTo(frame);
        from.Mac.CopyTo(frame.AsSpan(6));
        frame[12] = EtherType >> 8;
        frame[13] = EtherType & 0xFF;
        for (int i = 14; i < length; i++) frame[i] = (byte)(i * 7 + length);
        var batch = new FrameBatch(new byte[(length / FrameBatch.SlotSize + 1) * FrameBatch.SlotSize], new FrameEntry[1]);
        Assert.True(batch.Add(frame));
        ulong rejected = from.Stats().TxRejected;
        Assert.Equal(1, from.Send(in batch));
        Assert.Equal(rejected, from.Stats().TxRejected);

        var received = new FrameBatch(new byte[8 * FrameBatch.SlotSize], new FrameEntry[4]);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(2))
        {
            from.Send(default);   // reclaims transmitted buffers
            to.WaitForReceive(1_000);
            if (to.Receive(ref received) == 0) continue;
            Assert.Equal(1, received.Count);
            Assert.Equal(frame, received.Frame(0).ToArray());
            return;
        }
        Assert.Fail($"a {length}-byte frame never arrived");
    }

    private static void Traffic(INic a, INic b, int length)
    {
        OneFrame(a, b, length);
        OneFrame(b, a, length);
        Assert.Equal(0ul, a.Stats().ProtocolErrors + b.Stats().ProtocolErrors);
        Assert.Equal(0ul, a.Stats().Recoveries + b.Stats().Recoveries);
    }

    // ------------------------------------------------------------------ transmit used length

    [Fact]
    public void A_device_reporting_transmit_used_lengths_as_kvmtool_does_is_no_protocol_error()
    {
        var (a, b, _, _) = PciPair(d => d.ReportsTransmitLength = true);

        for (int i = 0; i < 4; i++) Traffic(a, b, 60 + i * 100);

        Assert.Equal(0ul, a.Stats().ProtocolErrors);
        Assert.Equal(4ul, a.Stats().TxFrames);
    }

    // ------------------------------------------------------------------ MTU

    [Fact]
    public void An_MTU_the_buffers_hold_is_accepted_and_Send_keeps_to_it()
    {
        var (a, b, modelA, modelB) = PciPair(d => d.Mtu = 1280);

        Assert.True(((VirtioNet<ModelAccess, VirtioPciTransport<ModelAccess>, ModelHost>)a).Features.HasFlag(VirtioNetFeatures.MTU));
        Assert.Equal(1280 + 18, a.MaxFrameLength);
        Traffic(a, b, 1280 + 18);
        var batch = new FrameBatch(new byte[FrameBatch.SlotSize], new FrameEntry[1]);
        Assert.True(batch.Add(new byte[1280 + 19]));
        Assert.Equal(1, a.Send(in batch));
        Assert.Equal(1ul, a.Stats().TxRejected);                 // 5.1.4.2: never longer than mtu allows
        Assert.Equal(0, modelA.Net.MtuViolations + modelB.Net.MtuViolations);
    }

    [Fact]
    public void An_MTU_larger_than_the_receive_buffers_hold_is_declined_and_the_driver_runs_at_1500()
    {
        // No MRG_RXBUF here: big buffers sized for 9000 cannot take a 65535-byte frame (5.1.4.2).
        var (a, b, modelA, modelB) = PciPair(d => d.Mtu = 65535);

        var virtio = (VirtioNet<ModelAccess, VirtioPciTransport<ModelAccess>, ModelHost>)a;
        Assert.False(virtio.Features.HasFlag(VirtioNetFeatures.MTU));
        Assert.Equal(1500u, virtio.Mtu);
        Assert.Equal(1518, a.MaxFrameLength);
        Traffic(a, b, 1514);
        Assert.Equal(0, modelA.Net.MtuViolations + modelB.Net.MtuViolations);   // no 65535-byte promise broken
    }

    // ------------------------------------------------------------------ ORDER_PLATFORM

    [Fact]
    public void A_device_that_requires_ORDER_PLATFORM_gets_it_and_runs()
    {
        var (a, b, modelA, _) = PciPair(d => d.RequiresOrderPlatform = true);

        Assert.NotEqual(0ul, modelA.Net.NegotiatedFeatures & (1ul << 36));
        Traffic(a, b, 100);
    }

    // ------------------------------------------------------------------ MAC

    [Fact]
    public void Without_a_MAC_offered_the_driver_uses_a_random_locally_administered_unicast_one()
    {
        var (a, b, modelA, _) = PciPair(d => d.OffersMac = false);

        foreach (INic nic in new[] { a, b })
        {
            ulong bits = nic.Mac.Bits;
            Assert.NotEqual(0ul, bits);
            Assert.Equal(2ul, bits & 3);                          // octet 0: locally administered, unicast
        }
        Assert.NotEqual(a.Mac.Bits, b.Mac.Bits);
        Assert.Equal(0ul, modelA.Net.NegotiatedFeatures & (1ul << 5));
        Traffic(a, b, 80);
    }

    // ------------------------------------------------------------------ transitional PCI IDs

    [Fact]
    public void A_transitional_device_ID_with_modern_capabilities_is_accepted()
    {
        VirtioPciModel a = Pci(MacA, 0, transitional: true), b = Pci(MacB, 1, transitional: true);
        _network.Connect(a, b);
        Assert.Equal(VirtioPciModel.TransitionalDeviceId, new PciConfig<ModelAccess>(new ModelHost(a, "a").ConfigSpace()).DeviceID.Read().Bits);

        Assert.Equal(NicStatus.Ok, NicModels.Open(NicKind.VirtioPci, a, "a", default, out INic nicA));
        Assert.Equal(NicStatus.Ok, NicModels.Open(NicKind.VirtioPci, b, "b", default, out INic nicB));

        Traffic(nicA, nicB, 200);
    }

    [Fact]
    public void A_transitional_device_ID_of_another_device_type_is_not_taken_for_a_network_card()
    {
        VirtioPciModel a = Pci(MacA, 0, transitional: true);
        var host = new ModelHost(a, "a");

        // A block device's subsystem ID (2) under a transitional ID is not a network card.
        Assert.Equal(NicStatus.NotFound, VirtioPciTransport<ModelAccess>.TryOpen(ref host, VirtioDeviceType.Block, out _));
    }

    // ------------------------------------------------------------------ capability geometry

    public static TheoryData<string, VirtioPciModel.Structure, uint?, uint?, uint?, byte?> HostileCapabilities => new()
    {
        { "common configuration past the BAR", VirtioPciModel.Structure.Common, 0x5000u, null, null, null },
        { "common configuration crossing the BAR's end", VirtioPciModel.Structure.Common, (uint)VirtioPciModel.BarSize - 0x10, null, null, null },
        { "common configuration too short", VirtioPciModel.Structure.Common, null, 0x20u, null, null },
        { "ISR past the BAR", VirtioPciModel.Structure.Isr, 0xFFFF_FFF0u, null, null, null },
        { "device configuration whose length wraps 32 bits", VirtioPciModel.Structure.Device, null, 0xFFFF_F000u, null, null },
        { "notification area past the BAR", VirtioPciModel.Structure.Notify, 0x8000u, null, null, null },
        { "notification capability on a BAR index beyond 5", VirtioPciModel.Structure.Notify, null, null, null, (byte)7 },
    };

    [Theory, MemberData(nameof(HostileCapabilities))]
    public void A_capability_pointing_outside_its_BAR_is_refused_without_an_access_outside_it(string what, VirtioPciModel.Structure structure, uint? offset, uint? length, uint? multiplier, byte? bar)
    {
        VirtioPciModel model = Pci(MacA, 0);
        model.SetCapability(structure, offset, length, multiplier, bar);

        NicStatus status = NicModels.Open(NicKind.VirtioPci, model, "hostile", default, out INic nic);

        Assert.True(status == NicStatus.Unsupported, $"{what}: {status}");
        Assert.Equal(0, model.OutOfRangeAccesses);
        Assert.Equal(0, nic.Send(default));                        // a handle that was never started does nothing
    }

    [Fact]
    public void A_notify_multiplier_that_puts_a_queue_outside_the_notification_area_fails_the_start_without_an_access_outside_the_BAR()
    {
        VirtioPciModel model = Pci(MacA, 0);
        // queue_notify_off is the queue index: queue 1 at 0x1000_0000 past the notification area.
        model.SetCapability(VirtioPciModel.Structure.Notify, multiplier: 0x1000_0000);

        NicStatus status = NicModels.Open(NicKind.VirtioPci, model, "hostile", default, out INic nic);

        Assert.NotEqual(NicStatus.Ok, status);
        Assert.Equal(0, model.OutOfRangeAccesses);
        Assert.Equal(0, model.Net.Queues[1].Notifications);
    }

    [Fact]
    public void A_capability_too_short_for_its_fields_is_ignored()
    {
        VirtioPciModel model = Pci(MacA, 0);
        // cap_len 16: the notification capability's notify_off_multiplier (bytes 16-19) is not part of it.
        model.SetCapability(VirtioPciModel.Structure.Notify, capLength: 16);

        Assert.Equal(NicStatus.Unsupported, NicModels.Open(NicKind.VirtioPci, model, "short", default, out _));
        Assert.Equal(0, model.OutOfRangeAccesses);
    }

    [Fact]
    public void A_capability_list_that_loops_is_walked_a_bounded_number_of_times()
    {
        VirtioPciModel model = Pci(MacA, 0);
        model.LoopCapabilityList();
        long before = model.Config.Reads;

        Assert.Equal(NicStatus.Ok, NicModels.Open(NicKind.VirtioPci, model, "loop", default, out INic nic));

        // At most 48 capabilities per walk (PCI 3.0 6.7: 256 bytes), 48 walks, a few reads each.
        Assert.InRange(model.Config.Reads - before, 1, 48 * 48 * 4 + 1000);
        Assert.Equal(0, model.OutOfRangeAccesses);
        nic.Send(default);
    }

    [Fact]
    public void The_model_host_sizes_BARs_as_firmware_does_and_restores_them()
    {
        VirtioPciModel virtio = Pci(MacA, 0);
        var igb = new IgbModel(_network, MacB, 0x8000_0000, 1 << 20);
        _models.Add(igb);
        var host = new ModelHost(virtio, "v");
        ModelAccess config = host.ConfigSpace();
        var header = new PciConfig<ModelAccess>(config);
        uint command = header.Command.Read().Bits, bar4 = header.BAR(4).Read().Bits, bar5 = header.BAR(5).Read().Bits;

        Assert.True(host.TryMapBar(4, out _, out ulong length));
        Assert.Equal((ulong)VirtioPciModel.BarSize, length);
        Assert.Equal((command, bar4, bar5), (header.Command.Read().Bits, header.BAR(4).Read().Bits, header.BAR(5).Read().Bits));
        Assert.False(host.TryMapBar(5, out _, out _));              // the upper half of BAR 4
        Assert.False(host.TryMapBar(0, out _, out _));              // absent
        Assert.True(new ModelHost(igb, "i").TryMapBar(0, out _, out ulong igbLength));
        Assert.Equal(0x20000ul, igbLength);                       // the 82576 BAR0: 128 KiB
    }

    // ------------------------------------------------------------------ interrupts while polling

    [Fact]
    public void Polling_leaves_no_line_interrupt_asserted_after_a_configuration_change()
    {
        var (a, _, modelA, _) = PciPair(_ => { });

        lock (_network.Lock) modelA.LinkUp = false;
        Assert.False(a.Link().Up);

        Assert.NotEqual(0, modelA.Config.Command & 0x400);         // Command.InterruptDisable set while polling
        Assert.False(modelA.InterruptAsserted);
        Assert.Equal(0, modelA.Net.InterruptStatus & 2);            // the configuration change was acknowledged
    }

    [Fact]
    public void Interrupt_mode_leaves_the_line_interrupt_enabled()
    {
        var (a, _, modelA, _) = PciPair(_ => { }, new VirtioNetOptions { InterruptMode = true });

        Assert.Equal(0, modelA.Config.Command & 0x400);
        lock (_network.Lock) modelA.LinkUp = false;
        Assert.True(modelA.InterruptAsserted);                     // the configuration change raises INTx
        a.WaitForReceive(10_000);
        Assert.False(a.Link().Up);
        Assert.False(modelA.InterruptAsserted);                    // and reading the ISR lowered it
    }

    [Fact]
    public void Polling_on_virtio_mmio_acknowledges_a_configuration_change()
    {
        VirtioMmioModel model = Mmio(MacA, 0, 2);
        Assert.Equal(NicStatus.Ok, NicModels.Open(NicKind.VirtioMmio, model, "m", default, out INic nic));

        lock (_network.Lock) model.LinkUp = false;
        Assert.False(nic.Link().Up);

        Assert.False(model.InterruptAsserted);
    }

    // ------------------------------------------------------------------ start-up order

    [Theory]
    [InlineData(NicKind.VirtioPci)]
    [InlineData(NicKind.VirtioMmio)]
    [InlineData(NicKind.VirtioMmioLegacy)]
    public void Receive_buffers_are_available_before_DRIVER_OK_and_notified_after_it(NicKind kind)
    {
        DeviceModel model = kind == NicKind.VirtioPci ? Pci(MacA, 0) : Mmio(MacA, 0, kind == NicKind.VirtioMmio ? 2 : 1);
        VirtioNetDevice device = model is VirtioPciModel pci ? pci.Net : ((VirtioMmioModel)model).Net;

        Assert.Equal(NicStatus.Ok, NicModels.Open(kind, model, "s", default, out _));

        // 3.1.1: step 7 (set up the queues, fill the receive queue, 5.1.5) before step 8 (DRIVER_OK).
        Assert.True(device.ReceiveBuffersAtDriverOk > 0, $"{device.ReceiveBuffersAtDriverOk} receive buffers available at DRIVER_OK");
        Assert.Equal(0, device.NotificationsBeforeDriverOk);
    }

    // ------------------------------------------------------------------ legacy virtio-mmio

    [Fact]
    public void A_legacy_virtio_mmio_device_gets_one_feature_word_only()
    {
        VirtioMmioModel a = Mmio(MacA, 0, 1), b = Mmio(MacB, 1, 1);
        _network.Connect(a, b);

        Assert.Equal(NicStatus.Ok, NicModels.Open(NicKind.VirtioMmioLegacy, a, "a", default, out INic nicA));
        Assert.Equal(NicStatus.Ok, NicModels.Open(NicKind.VirtioMmioLegacy, b, "b", default, out INic nicB));

        Assert.Equal(0, a.LegacyUpperFeatureWrites + b.LegacyUpperFeatureWrites);
        Assert.NotEqual(0ul, a.Net.NegotiatedFeatures & (1ul << 28));   // word 0 arrived: INDIRECT_DESC in effect
        Traffic(nicA, nicB, 300);
    }
}
