using System;
using System.Diagnostics;
using System.Linq;
using Regs.Drivers.Igb;
using Regs.Nic;
using Regs.Runtime.Models;
using Regs.Runtime.Models.Igb;
using Regs.Runtime.Qtest;
using Regs.Testing.NicKinds;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Drivers.Tests.Faults;

/// <summary>
/// What real 82576 silicon and its manageability firmware ask of a driver and QEMU's igb does not
/// enforce (issue 14's review of the igb driver against Linux igb and DPDK): each test turns on the
/// <see cref="IgbModel"/> switch that exposes one rule and checks the driver keeps it.
/// </summary>
[Trait("Category", "Model")]
public sealed class IgbConformanceTests
{
    private readonly ITestOutputHelper _output;

    public IgbConformanceTests(ITestOutputHelper output) { _output = output; }

    // ------------------------------------------------------------------ receive ring geometry

    /// <summary>
    /// SRRCTL.RDMTS (bits 24:20) counts 16 descriptors and has 5 bits: half a ring of 1,024 or more
    /// (32 units and up) must be clamped to 31, not wrapped to 0 or spilled into DESCTYPE (bit 25).
    /// Failed before the clamp (issue 14, "SRRCTL.RDMTS computed past its field width").
    /// </summary>
    [Theory]
    [InlineData(256u, 8u)]
    [InlineData(512u, 16u)]
    [InlineData(1024u, 31u)]
    public void SRRCTL_RDMTS_is_half_the_ring_clamped_to_its_field(uint ringSize, uint expected)
    {
        using var bench = new IgbFaultBench(interrupts: false, openA: false);
        IgbOptions options = bench.Options(setMac: false);
        options.RxRingSize = ringSize;
        Assert.Equal(NicStatus.Ok, IgbNic<ModelAccess, ModelHost>.Initialise(new ModelHost(bench.ModelA, "igbA"), options, out _));
        const nuint Srrctl0 = 0x0C00C;   // SRRCTL of receive queue 0 (Linux E1000_SRRCTL(0))
        uint srrctl = bench.ModelA.Registers.Read(Srrctl0, 4);
        Assert.Equal(expected, (srrctl >> 20) & 0x1F);   // RDMTS, bits 24:20
        Assert.Equal(1u, (srrctl >> 25) & 0x7);          // DESCTYPE: advanced, one buffer
    }

    // ------------------------------------------------------------------ minimum frame

    [Fact]
    public void Frames_shorter_than_17_bytes_are_padded_by_the_driver_to_60()
    {
        using var bench = new IgbFaultBench(interrupts: false);
        bench.ModelA.DropShortTxFrames = true;   // the MAC pads (TCTL.PSP) only frames of 17 bytes and more
        int before = bench.Models.Transmitted(0).Count;
        ulong rejected = bench.A.Stats().TxRejected;

        int[] lengths = { 1, 2, 11, 14, 16, 17, 59, 60 };
        byte[] data = new byte[lengths.Length * FrameBatch.SlotSize];
        var batch = new FrameBatch(data, new FrameEntry[lengths.Length]);
        for (int i = 0; i < lengths.Length; i++)
        {
            Span<byte> slot = batch.Free().Slice(0, FrameBatch.SlotSize);
            // A locally administered unicast no NIC has, then a pattern; the slot's tail is dirty
            // so that padding from the buffer's old contents would show.
            for (int j = 0; j < slot.Length; j++) slot[j] = (byte)(0xA0 + i + j);
            slot[0] = 0x02;
            batch.Commit(lengths[i]);
        }
        Assert.Equal(lengths.Length, bench.A.Send(batch));
        Assert.Equal(rejected, bench.A.Stats().TxRejected);

        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (bench.Models.Transmitted(0).Count < before + lengths.Length && DateTime.UtcNow < deadline)
            System.Threading.Thread.Sleep(5);
        Assert.Equal(0, bench.ModelA.ShortTxFrames);
        var sent = bench.Models.Transmitted(0).Skip(before).ToList();
        Assert.Equal(lengths.Length, sent.Count);
        for (int i = 0; i < lengths.Length; i++)
        {
            int expected = Math.Max(lengths[i], 60);
            Assert.Equal(expected, sent[i].Length);
            Assert.True(sent[i].AsSpan(0, lengths[i]).SequenceEqual(data.AsSpan(i * FrameBatch.SlotSize, lengths[i])), $"frame {i} changed");
            Assert.True(sent[i].AsSpan(lengths[i]).IndexOfAnyExcept((byte)0) < 0, $"frame {i} padded with non-zero bytes");
        }
    }

    // ------------------------------------------------------------------ transmit descriptors

    /// <summary>
    /// PAYLEN (datasheet 7.2.2.3.11) is the whole frame on every non-TSO frame, whatever it spans
    /// or asks: a 9,018-byte frame over five descriptors, a 16-byte frame the driver pads, a 43-byte
    /// checksum frame the MAC pads; and a TSO train adds up (headers plus PAYLEN), so the model
    /// sends all of them.
    /// </summary>
    [Fact]
    public void PAYLEN_is_the_whole_frame_for_jumbo_padded_and_offloaded_frames()
    {
        using var bench = new ModelBench(NicKind.Igb, Wiring.BackToBack);
        var model = (IgbModel)bench.Model(0);
        for (int i = 0; i < 2; i++) ((IgbModel)bench.Model(i)).AutonegotiationTime = TimeSpan.FromMilliseconds(20);
        var options = new IgbOptions { Mtu = 9000, Offloads = NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4 };
        Assert.Equal(NicStatus.Ok, IgbNic<ModelAccess, ModelHost>.Initialise(new ModelHost(model, "igbA"), options, out var a));
        NicScenarios.WaitForLink(ref a, up: true);
        Regs.Net.MacAddress peer = new(QtestNics.MacBits(1));

        var batch = new FrameBatch(new byte[32 * FrameBatch.SlotSize], new FrameEntry[4]);
        byte[] jumbo = new byte[9018];
        jumbo[0] = 0x02;
        Assert.True(batch.Add(jumbo));
        Assert.True(batch.Add(jumbo.AsSpan(0, 16)));
        byte[] udp = Inet.Frame(peer, a.Mac, ipv6: false, tcp: false, new byte[1], 0, 1, out int l4);
        Assert.True(batch.Add(udp, Inet.NeedsChecksum(l4, tcp: false)));
        byte[] train = Inet.Frame(peer, a.Mac, ipv6: false, tcp: true, new byte[20_000], 0, 1, out l4);
        FrameOffload gso = Inet.NeedsChecksum(l4, tcp: true);
        gso.GsoType = FrameOffload.GsoTcpV4;
        gso.SegmentSize = 8000;
        Assert.True(batch.Add(train, gso));
        int before = bench.Transmitted(0).Count;
        Assert.Equal(4, a.Send(batch));
        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (bench.Transmitted(0).Count < before + 6 && DateTime.UtcNow < deadline) System.Threading.Thread.Sleep(5);
        Assert.Equal(before + 6, bench.Transmitted(0).Count);   // 3 frames and 3 segments
        Assert.Equal(0, model.TxPaylenMismatches);
        Assert.Equal(0, model.UnsentTxFrames);
        Assert.Equal(0ul, a.Stats().TxRejected);
    }

    // ------------------------------------------------------------------ reset sequence

    [Fact]
    public void The_reset_quiesces_the_device_and_drops_bus_mastering_only_after_the_master_disable_handshake()
    {
        using var bench = new IgbFaultBench(interrupts: false, openA: false);
        bench.ModelA.CheckResetSequence = true;
        bench.OpenA();
        bench.Burst(0, 40);
        bench.Burst(1, 40);
        Assert.Equal(NicStatus.Ok, bench.A.Reset());
        Assert.Equal(2, bench.ModelA.SoftwareResets);
        Assert.Empty(bench.ModelA.ResetSequenceViolations);
        bench.WaitForLinks();
        bench.Burst(0, 40);
    }

    // ------------------------------------------------------------------ firmware semaphores

    [Fact]
    public void Firmware_holding_the_PHY_makes_the_driver_wait_and_it_never_touches_MDIC_meanwhile()
    {
        using var bench = new IgbFaultBench(interrupts: false, openA: false);
        bench.ModelA.FirmwareHoldsPhy(TimeSpan.FromMilliseconds(60));
        var watch = Stopwatch.StartNew();
        bench.OpenA();
        _output.WriteLine($"Initialise with the PHY held by firmware for 60 ms: {watch.ElapsedMilliseconds} ms");

        bench.ModelA.FirmwareHoldsPhy(TimeSpan.FromMilliseconds(30));
        Assert.Equal(NicStatus.Ok, bench.A.Reset());
        Assert.Equal(0, bench.ModelA.MdicWhileFirmwareOwned);
        Assert.Equal(0, bench.ModelA.MdicWithoutOwnership);
        Assert.Equal(0, bench.ModelA.SwFwSyncWithoutSemaphore);
        bench.WaitForLinks();
        bench.Burst(0, 20);
    }

    [Fact]
    public void Firmware_holding_the_PHY_for_ever_fails_initialisation_with_a_timeout_not_a_hang()
    {
        using var bench = new IgbFaultBench(interrupts: false, openA: false);
        bench.ModelA.FirmwareHoldsPhy(null);
        var watch = Stopwatch.StartNew();
        Assert.Equal(NicStatus.Timeout, bench.Open(0, setMac: true, out bench.Nics[0]));
        _output.WriteLine($"Initialise with the PHY held by firmware for ever: {watch.ElapsedMilliseconds} ms");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"took {watch.ElapsedMilliseconds} ms");
        Assert.False(bench.A.IsInitialised);
        Assert.Equal(0, bench.ModelA.MdicWhileFirmwareOwned);

        // Firmware lets go: the driver's retry brings the device up.
        bench.ModelA.FirmwareHoldsPhy(TimeSpan.Zero);
        bench.DriveUntil(() => bench.A.IsInitialised, TimeSpan.FromSeconds(3), sendFromA: false, sendFromB: false);
        Assert.Equal(0, bench.ModelA.MdicWhileFirmwareOwned);
    }

    // ------------------------------------------------------------------ EEPROM / configuration wait

    [Theory, InlineData(true), InlineData(false)]
    public void Initialisation_waits_for_CFG_DONE_and_does_not_spin_on_EEC(bool configDone)
    {
        using var bench = new IgbFaultBench(interrupts: false, openA: false);
        // Silicon sets CFG_DONE0 shortly after a reset; QEMU never does (it never sets EEC.AUTO_RD either).
        bench.ModelA.ConfigDoneAfterReset = configDone ? TimeSpan.FromMilliseconds(2) : null;
        var watch = Stopwatch.StartNew();
        bench.OpenA();
        _output.WriteLine($"CFG_DONE {(configDone ? "after 2 ms" : "never")}: Initialise + links {watch.ElapsedMilliseconds} ms, EECD reads {bench.ModelA.EecdReads}, EEMNGCTL reads {bench.ModelA.EemngctlReads}");
        Assert.InRange(bench.ModelA.EecdReads, 0, 2);
        Assert.InRange(bench.ModelA.EemngctlReads, 1, 30);
    }

    // ------------------------------------------------------------------ smaller ones

    [Fact]
    public void STATUS_SPEED_0b11_is_1000_Mbps()
    {
        using var bench = new IgbFaultBench(interrupts: false);
        bench.ModelA.ReportSpeedBits11 = true;
        LinkState link = bench.A.Link();
        Assert.True(link.Up);
        Assert.Equal(1000u, link.SpeedMbps);
    }

    [Fact]
    public void Queue_heads_are_written_only_while_the_queues_are_disabled()
    {
        using var bench = new IgbFaultBench(interrupts: false);
        Assert.Equal(NicStatus.Ok, bench.A.Reset());
        Assert.Equal(0, bench.ModelA.QueueHeadWritesWhileEnabled);
        bench.WaitForLinks();
        bench.Burst(1, 300);
    }

    // ------------------------------------------------------------------ recovery on the data path

    private static readonly TimeSpan DataPathLimit = TimeSpan.FromMilliseconds(150);   // the link wait is 500 ms

    [Fact]
    public void A_recovery_inside_Receive_does_not_wait_for_the_link()
    {
        using var bench = new IgbFaultBench(interrupts: false);
        bench.Burst(1, 20);
        bench.ModelA.Arm(IgbFault.RxLengthBeyondBuffer);
        Assert.Equal(1, bench.Send(1, 1).Count);
        Assert.True(bench.A.WaitForReceive(500_000), "the faulty frame never arrived");
        bench.ModelA.LinkUp = false;   // the cable is out: the reset's link will not come back

        var watch = Stopwatch.StartNew();
        bench.Receive(0);
        TimeSpan took = watch.Elapsed;
        _output.WriteLine($"Receive with a recovery and no link: {took.TotalMilliseconds:F1} ms");
        Assert.Equal(NicStatus.DeviceError, bench.A.LastError);
        Assert.True(bench.A.IsInitialised);
        Assert.True(took < DataPathLimit, $"Receive took {took.TotalMilliseconds} ms");
        Assert.False(bench.A.Link().Up);

        bench.ModelA.LinkUp = true;   // the link comes later and Link() reports it
        bench.WaitForLinks();
        bench.Burst(1, 50);
        bench.Burst(0, 50);
    }

    [Fact]
    public void A_retried_bring_up_inside_Send_does_not_wait_for_the_link()
    {
        using var bench = new IgbFaultBench(interrupts: false);
        bench.ModelA.Arm(IgbFault.MdicError, persistent: true);
        Assert.Equal(NicStatus.DeviceError, bench.A.Reset());
        Assert.False(bench.A.IsInitialised);
        bench.ModelA.Disarm(IgbFault.MdicError);
        bench.ModelA.LinkUp = false;
        System.Threading.Thread.Sleep(TimeSpan.FromMicroseconds(2 * IgbFaultBench.WatchdogMicroseconds));

        var watch = Stopwatch.StartNew();
        bench.Send(0, 1);
        TimeSpan took = watch.Elapsed;
        _output.WriteLine($"Send with a retried bring-up and no link: {took.TotalMilliseconds:F1} ms");
        Assert.True(bench.A.IsInitialised);
        Assert.True(took < DataPathLimit, $"Send took {took.TotalMilliseconds} ms");

        bench.ModelA.LinkUp = true;
        bench.WaitForLinks();
        bench.Burst(0, 50);
    }
}

/// <summary>Initialisation time on QEMU's igb (which never sets EEC.AUTO_RD nor EEMNGCTL.CFG_DONE0).</summary>
[Trait("Category", "Qtest")]
public sealed class IgbQtestInitTests
{
    private readonly ITestOutputHelper _output;

    public IgbQtestInitTests(ITestOutputHelper output) { _output = output; }

    [Fact]
    public void Initialise_and_reset_do_not_spin_on_the_EEPROM_wait()
    {
        using var qemu = new QtestBench(NicKind.Igb, Wiring.BackToBack, "igb-init-time");
        // A link wait of 1 us: what is measured is the reset and set-up, not autonegotiation.
        var options = new IgbOptions { LinkWaitMicroseconds = 1 };
        var watch = Stopwatch.StartNew();
        Assert.Equal(NicStatus.Ok, IgbNic<QtestAccess, QtestHost>.Initialise(qemu.Machine.NicHost(0, "igbA"), options, out var nic));
        TimeSpan init = watch.Elapsed;
        watch.Restart();
        Assert.Equal(NicStatus.Ok, nic.Reset());
        TimeSpan reset = watch.Elapsed;
        _output.WriteLine($"QEMU igb: Initialise {init.TotalMilliseconds:F1} ms, Reset {reset.TotalMilliseconds:F1} ms (link wait 1 us)");
        Assert.True(reset < TimeSpan.FromMilliseconds(500), $"Reset took {reset.TotalMilliseconds} ms");
    }
}
