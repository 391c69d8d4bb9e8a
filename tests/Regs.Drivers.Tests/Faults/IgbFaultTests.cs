using System;
using System.Diagnostics;
using Regs.Drivers.Igb;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime.Models.Igb;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Drivers.Tests.Faults;

/// <summary>
/// A hostile 82576: each test injects one <see cref="IgbFault"/> (or resets the device behind the
/// driver) into NIC A under traffic, in polling and interrupt mode, and checks the driver's answer:
/// detected in bounded time, the right <see cref="NicStatus"/> and counter, the device reset with
/// the memory allocated at start-up, and once the fault is gone traffic exchanged exactly once and
/// byte-exact with A's SetMac address, multicast group, options and counters intact. No frame is
/// ever delivered twice or corrupted (the bench checks every delivery), and DmaFaults and
/// StrayWrites stay 0. Each test logs one line for the reliability table.
/// </summary>
[Trait("Category", "Faults")]
public sealed class IgbFaultTests
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(2);     // hang limit 200 ms + watchdog + traffic
    private static readonly TimeSpan ImmediateLimit = TimeSpan.FromSeconds(1);

    private readonly ITestOutputHelper _output;

    public IgbFaultTests(ITestOutputHelper output) { _output = output; }

    /// <summary>What A looked like before the fault.</summary>
    private readonly record struct Before(NicStats Stats, long SoftwareResets, nuint Dma, nuint Private);

    // Traffic before the fault: more frames than the ring holds, so every receive buffer holds an
    // old frame a faulty device could hand back a second time.
    private static Before Warm(IgbFaultBench bench)
    {
        bench.Burst(1, 300);
        bench.Burst(0, 40);
        return new Before(bench.A.Stats(), bench.ModelA.SoftwareResets, bench.ModelA.Dma.Used, bench.ModelA.Private.Used);
    }

    // Until A reported the fault and reset the device.
    private static Func<bool> Recovered(IgbFaultBench bench, Before before, NicStatus expected)
        => () => bench.A.LastError == expected && bench.A.Stats().Recoveries > before.Stats.Recoveries && bench.A.IsInitialised;

    // After the fault: reset with the same memory, state kept, traffic exactly once and byte-exact.
    private void Resumes(IgbFaultBench bench, Before before, bool setMac = true)
    {
        Assert.True(bench.A.IsInitialised);
        Assert.True(bench.ModelA.SoftwareResets > before.SoftwareResets, "the device was not reset");
        Assert.Equal(before.Dma, bench.ModelA.Dma.Used);          // no new DMA memory
        Assert.Equal(before.Private, bench.ModelA.Private.Used);  // no new private memory
        bench.WaitForLinks();

        NicStats quiet = bench.A.Stats();
        NicStatus lastError = bench.A.LastError;
        bench.Burst(1, 300);
        bench.Burst(0, 100);
        if (setMac)
        {
            Assert.Equal(IgbFaultBench.SetMacAddress.Bits, bench.A.Mac.Bits);
            Assert.True(bench.GroupFrameReachesA(IgbFaultBench.Group), "the multicast group was lost in the reset");
            Assert.False(bench.GroupFrameReachesA(IgbFaultBench.OtherGroup), "a group never joined was accepted");
        }
        NicStats after = bench.A.Stats();
        // No new fault while the traffic resumed, and the error stays reported.
        Assert.Equal(quiet.Timeouts, after.Timeouts);
        Assert.Equal(quiet.DeviceErrors, after.DeviceErrors);
        Assert.Equal(quiet.ProtocolErrors, after.ProtocolErrors);
        Assert.Equal(quiet.Recoveries, after.Recoveries);
        Assert.Equal(lastError, bench.A.LastError);
        // Counters continue across resets: every frame A ever delivered is counted once.
        Assert.Equal(bench.Delivered(0), (long)after.RxFrames);
        Assert.True(after.RxFrames > before.Stats.RxFrames && after.TxFrames > before.Stats.TxFrames);
        if (bench.Interrupts) Assert.True(bench.InterruptWakesA(), "interrupt mode was lost in the reset");
    }

    private void Report(string fault, IgbFaultBench bench, long injections, TimeSpan detected, Before before)
    {
        NicStats s = bench.A.Stats();
        _output.WriteLine($"FAULT {fault} | {(bench.Interrupts ? "interrupt" : "polling")} | injections {injections} | LastError {bench.A.LastError} "
            + $"| detected {detected.TotalMilliseconds:F0} ms | timeouts +{s.Timeouts - before.Stats.Timeouts} deviceErrors +{s.DeviceErrors - before.Stats.DeviceErrors} "
            + $"protocolErrors +{s.ProtocolErrors - before.Stats.ProtocolErrors} recoveries +{s.Recoveries - before.Stats.Recoveries} "
            + $"| device resets +{bench.ModelA.SoftwareResets - before.SoftwareResets}");
    }

    // ------------------------------------------------------------------ transmit

    [Theory, InlineData(false), InlineData(true)]
    public void Transmit_completions_that_never_come_fill_the_ring_and_end_in_a_timeout_and_reset(bool interrupts)
    {
        using var bench = new IgbFaultBench(interrupts);
        Before before = Warm(bench);
        bench.ModelA.Arm(IgbFault.TxNoWriteBack, persistent: true);
        TimeSpan detected = bench.DriveUntil(Recovered(bench, before, NicStatus.Timeout), HangLimit, sendFromB: false);
        bench.ModelA.Disarm(IgbFault.TxNoWriteBack);
        Assert.True(bench.A.Stats().Timeouts > before.Stats.Timeouts);
        Report("TxNoWriteBack (persistent, ring fills)", bench, bench.ModelA.FaultHits(IgbFault.TxNoWriteBack), detected, before);
        Resumes(bench, before);
    }

    [Theory, InlineData(false), InlineData(true)]
    public void One_missing_transmit_completion_is_found_by_the_idle_watchdog(bool interrupts)
    {
        using var bench = new IgbFaultBench(interrupts);
        Before before = Warm(bench);
        bench.ModelA.Arm(IgbFault.TxNoWriteBack);
        Assert.Equal(4, bench.Send(0, 4).Count);   // the ring is far from full: only the idle path can tell
        TimeSpan detected = bench.DriveUntil(Recovered(bench, before, NicStatus.Timeout), HangLimit, sendFromA: false, sendFromB: false);
        Assert.Equal(1, bench.ModelA.FaultHits(IgbFault.TxNoWriteBack));
        Assert.True(bench.A.Stats().Timeouts > before.Stats.Timeouts);
        Report("TxNoWriteBack (one-shot, idle)", bench, 1, detected, before);
        Resumes(bench, before);
    }

    // ------------------------------------------------------------------ receive

    [Theory, InlineData(false), InlineData(true)]
    public void Receive_write_backs_without_DD_end_in_a_timeout_and_reset(bool interrupts)
    {
        using var bench = new IgbFaultBench(interrupts);
        Before before = Warm(bench);
        // One-shot in polling mode (the later frames complete but sit behind the stuck one),
        // persistent in interrupt mode (nothing completes).
        bench.ModelA.Arm(IgbFault.RxNoDescriptorDone, persistent: interrupts);
        TimeSpan detected = bench.DriveUntil(Recovered(bench, before, NicStatus.Timeout), HangLimit, sendFromA: false);
        bench.ModelA.Disarm(IgbFault.RxNoDescriptorDone);
        Assert.True(bench.A.Stats().Timeouts > before.Stats.Timeouts);
        Report("RxNoDescriptorDone", bench, bench.ModelA.FaultHits(IgbFault.RxNoDescriptorDone), detected, before);
        Resumes(bench, before);
    }

    [Theory, InlineData(false), InlineData(true)]
    public void A_receive_length_beyond_the_buffer_is_a_device_error_and_nothing_outside_the_buffer_is_read(bool interrupts)
    {
        using var bench = new IgbFaultBench(interrupts);
        Before before = Warm(bench);
        bench.ModelA.Arm(IgbFault.RxLengthBeyondBuffer);
        TimeSpan detected = bench.DriveUntil(Recovered(bench, before, NicStatus.DeviceError), ImmediateLimit, sendFromA: false);
        Assert.Equal(1, bench.ModelA.FaultHits(IgbFault.RxLengthBeyondBuffer));
        Assert.Equal(before.Stats.ProtocolErrors + 1, bench.A.Stats().ProtocolErrors);
        Report("RxLengthBeyondBuffer", bench, 1, detected, before);
        Resumes(bench, before);
    }

    /// <summary>
    /// A receive chain that never ends (every descriptor the device owns full and without EOP):
    /// with the default MTU the first descriptor without EOP, with MTU 9000 the sixth (9,018 bytes
    /// fit in five 2 KiB buffers), is a device error; the driver resets, gathers nothing past its
    /// bound, delivers none of it, and traffic resumes.
    /// </summary>
    [Theory]
    [InlineData(false, 0u)]
    [InlineData(true, 0u)]
    [InlineData(false, 9000u)]
    [InlineData(true, 9000u)]
    public void A_receive_chain_without_EOP_is_a_device_error_never_an_overflow(bool interrupts, uint mtu)
    {
        using var bench = new IgbFaultBench(interrupts, mtu: mtu);
        Before before = Warm(bench);
        bench.ModelA.Arm(IgbFault.RxChainWithoutEnd);
        TimeSpan detected = bench.DriveUntil(Recovered(bench, before, NicStatus.DeviceError), ImmediateLimit, sendFromA: false);
        Assert.Equal(1, bench.ModelA.FaultHits(IgbFault.RxChainWithoutEnd));
        Assert.Equal(before.Stats.ProtocolErrors + 1, bench.A.Stats().ProtocolErrors);
        Assert.Equal(0ul, bench.A.Stats().RxDropped);
        Report($"RxChainWithoutEnd (MTU {(mtu == 0 ? 1500 : mtu)})", bench, 1, detected, before);
        Resumes(bench, before);
    }

    [Theory, InlineData(false), InlineData(true)]
    public void DD_on_the_held_back_descriptor_is_a_device_error_and_its_stale_frame_is_never_delivered(bool interrupts)
    {
        using var bench = new IgbFaultBench(interrupts);
        Before before = Warm(bench);   // every buffer holds an old frame: trusting the DD would deliver one twice
        bench.ModelA.Arm(IgbFault.RxDoneBeyondTail);
        // One frame at a time, so A's next descriptor meets the device's head at every one: a
        // driver that let the forged descriptor through would deliver its stale frame (the bench
        // fails on the duplicate) within one lap of the ring.
        TimeSpan detected = bench.DriveUntil(Recovered(bench, before, NicStatus.DeviceError), TimeSpan.FromSeconds(3), sendFromA: false, framesPerStep: 1);
        Assert.Equal(1, bench.ModelA.FaultHits(IgbFault.RxDoneBeyondTail));
        Assert.Equal(before.Stats.ProtocolErrors + 1, bench.A.Stats().ProtocolErrors);
        Report("RxDoneBeyondTail", bench, 1, detected, before);
        Resumes(bench, before);
    }

    [Theory, InlineData(false), InlineData(true)]
    public void Heads_beyond_the_rings_are_a_device_error(bool interrupts)
    {
        using var bench = new IgbFaultBench(interrupts);
        Before before = Warm(bench);
        bench.ModelA.Arm(IgbFault.HeadBeyondRing);
        TimeSpan detected = bench.DriveUntil(Recovered(bench, before, NicStatus.DeviceError), ImmediateLimit);
        Assert.Equal(1, bench.ModelA.FaultHits(IgbFault.HeadBeyondRing));
        Assert.True(bench.A.Stats().ProtocolErrors > before.Stats.ProtocolErrors);
        Report("HeadBeyondRing", bench, 1, detected, before);
        Resumes(bench, before);
    }

    // ------------------------------------------------------------------ bring-up faults

    [Theory]
    [InlineData(IgbFault.MdicNeverReady, NicStatus.Timeout, false)]
    [InlineData(IgbFault.MdicNeverReady, NicStatus.Timeout, true)]
    [InlineData(IgbFault.MdicError, NicStatus.DeviceError, false)]
    [InlineData(IgbFault.MdicError, NicStatus.DeviceError, true)]
    [InlineData(IgbFault.ResetNeverCompletes, NicStatus.Timeout, false)]
    [InlineData(IgbFault.ResetNeverCompletes, NicStatus.Timeout, true)]
    public void A_reset_the_device_cannot_finish_is_reported_and_retried_until_it_can(IgbFault fault, NicStatus expected, bool interrupts)
    {
        using var bench = new IgbFaultBench(interrupts);
        Before before = Warm(bench);
        bench.ModelA.Arm(fault, persistent: true);
        var watch = Stopwatch.StartNew();
        Assert.Equal(expected, bench.A.Reset());
        TimeSpan detected = watch.Elapsed;
        Assert.True(detected < ImmediateLimit, $"Reset took {detected.TotalMilliseconds} ms");
        Assert.Equal(expected, bench.A.LastError);
        Assert.False(bench.A.IsInitialised);
        NicStats failed = bench.A.Stats();
        Assert.True(expected == NicStatus.Timeout ? failed.Timeouts > before.Stats.Timeouts : failed.DeviceErrors > before.Stats.DeviceErrors);
        Assert.Equal(0, bench.Send(0, 1).Count);   // stopped, not stuck

        // While the fault lasts the driver keeps retrying, rate-limited, and keeps failing.
        bench.DriveUntil(() => bench.A.Stats().Recoveries >= before.Stats.Recoveries + 2, HangLimit, sendFromA: false, sendFromB: false);
        Assert.False(bench.A.IsInitialised);
        bench.ModelA.Disarm(fault);
        bench.DriveUntil(() => bench.A.IsInitialised, ImmediateLimit, sendFromA: false);
        Assert.Equal(expected, bench.A.LastError);   // still says what happened
        Report($"{fault} (Reset)", bench, bench.ModelA.FaultHits(fault), detected, before);
        Resumes(bench, before);
    }

    // Polling only: the EEPROM is read during bring-up, before the interrupt mode matters, and
    // EERD's bounded wait is the slowest of all (see the Assert).
    [Fact]
    public void An_eeprom_that_never_answers_fails_initialisation_with_a_timeout_and_a_retry_recovers()
    {
        using var bench = new IgbFaultBench(interrupts: false, openA: false);
        bench.ModelA.Arm(IgbFault.EepromNeverDone, persistent: true);
        var watch = Stopwatch.StartNew();
        Assert.Equal(NicStatus.Timeout, bench.Open(0, setMac: false, out bench.Nics[0]));
        TimeSpan detected = watch.Elapsed;
        // EERD's generated wait allows 100 000 polls 5 us apart (Linux igb: the same); it counts
        // polls, not host time, so 0.5 s nominal takes 1.5-3.5 s here, register reads included.
        Assert.True(detected < TimeSpan.FromSeconds(6), $"Initialise took {detected.TotalMilliseconds} ms");
        Assert.Equal(NicStatus.Timeout, bench.A.LastError);
        Assert.False(bench.A.IsInitialised);
        // Every EERD read was made holding the EEPROM semaphore (SW_FW_SYNC.SW_EEP_SM).
        Assert.True(bench.ModelA.FaultHits(IgbFault.EepromNeverDone) > 0);
        Assert.Equal(0, bench.ModelA.EerdWithoutOwnership);
        Assert.Equal(0, bench.ModelA.SwFwSyncWithoutSemaphore);
        var before = new Before(bench.A.Stats(), bench.ModelA.SoftwareResets, bench.ModelA.Dma.Used, bench.ModelA.Private.Used);
        Assert.Equal(1ul, before.Stats.Timeouts);

        bench.ModelA.Disarm(IgbFault.EepromNeverDone);
        bench.DriveUntil(() => bench.A.IsInitialised, ImmediateLimit, sendFromA: false, sendFromB: false);
        Assert.Equal(QtestNics.MacBits(0), bench.A.Mac.Bits);   // read from the device once it answered
        Report("EepromNeverDone (Initialise)", bench, bench.ModelA.FaultHits(IgbFault.EepromNeverDone), detected, before with { Stats = default });
        Resumes(bench, before, setMac: false);
    }

    // ------------------------------------------------------------------ device reset and link

    [Theory, InlineData(false), InlineData(true)]
    public void A_device_reset_behind_the_driver_is_found_and_the_device_reinitialised(bool interrupts)
    {
        using var bench = new IgbFaultBench(interrupts);
        Before before = Warm(bench);
        bench.Send(1, 16);   // frames in flight towards A
        bench.ModelA.ResetBehindDriver();
        TimeSpan detected = bench.DriveUntil(Recovered(bench, before, NicStatus.DeviceError), ImmediateLimit);
        Assert.Equal(before.Stats.DeviceErrors + 1, bench.A.Stats().DeviceErrors);
        Report("Device reset behind the driver", bench, bench.ModelA.ResetsBehindDriver, detected, before);
        Resumes(bench, before);
    }

    [Theory, InlineData(false), InlineData(true)]
    public void A_reset_behind_the_driver_whose_recovery_fails_is_retried_until_it_succeeds(bool interrupts)
    {
        using var bench = new IgbFaultBench(interrupts);
        Before before = Warm(bench);
        bench.ModelA.Arm(IgbFault.MdicError, persistent: true);
        bench.ModelA.ResetBehindDriver();
        TimeSpan detected = bench.DriveUntil(() => bench.A.Stats().Recoveries >= before.Stats.Recoveries + 2, HangLimit);
        Assert.False(bench.A.IsInitialised);
        Assert.Equal(NicStatus.DeviceError, bench.A.LastError);
        bench.ModelA.Disarm(IgbFault.MdicError);
        bench.DriveUntil(() => bench.A.IsInitialised, ImmediateLimit);
        Report("Reset behind the driver + MdicError", bench, bench.ModelA.ResetsBehindDriver + bench.ModelA.FaultHits(IgbFault.MdicError), detected, before);
        Resumes(bench, before);
    }

    [Theory, InlineData(false), InlineData(true)]
    public void Link_flapping_under_traffic_is_reported_as_link_changes_without_a_false_hang(bool interrupts)
    {
        using var bench = new IgbFaultBench(interrupts);
        Before before = Warm(bench);
        bench.ModelA.Arm(IgbFault.LinkFlap, persistent: true);
        TimeSpan flapping = bench.DriveUntil(() => bench.ModelA.FaultHits(IgbFault.LinkFlap) >= 4, TimeSpan.FromSeconds(3));
        bench.ModelA.Disarm(IgbFault.LinkFlap);
        long flaps = bench.ModelA.FaultHits(IgbFault.LinkFlap);
        NicStats s = bench.A.Stats();
        // Every flap is a drop and a return; the driver saw at least the drops.
        Assert.True(s.LinkChanges - before.Stats.LinkChanges >= (ulong)flaps, $"{s.LinkChanges - before.Stats.LinkChanges} link changes for {flaps} flaps");
        // Not a device fault: no error, no reset.
        Assert.Equal(NicStatus.Ok, bench.A.LastError);
        Assert.Equal(before.Stats.Recoveries, s.Recoveries);
        Assert.Equal(before.SoftwareResets, bench.ModelA.SoftwareResets);
        _output.WriteLine($"FAULT LinkFlap | {(interrupts ? "interrupt" : "polling")} | injections {flaps} | LastError {bench.A.LastError} | link changes +{s.LinkChanges - before.Stats.LinkChanges} in {flapping.TotalMilliseconds:F0} ms | recoveries +0");

        bench.WaitForLinks();
        bench.Burst(1, 300);
        bench.Burst(0, 100);
        Assert.Equal(bench.Delivered(0), (long)bench.A.Stats().RxFrames);
        Assert.Equal(NicStatus.Ok, bench.A.LastError);
    }
}
