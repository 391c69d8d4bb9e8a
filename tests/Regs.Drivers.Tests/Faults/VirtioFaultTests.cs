using System;
using System.Diagnostics;
using System.Linq;
using Regs.Drivers.Virtio;
using Regs.Nic;
using Regs.Runtime.Models.Virtio;
using Regs.Testing.NicKinds;
using Regs.Testing.Traffic;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Drivers.Tests.Faults;

/// <summary>
/// Hostile virtio devices: each fault of <see cref="VirtioFault"/> is armed on a model under
/// traffic, and the driver must notice it in bounded time, report it (LastError, a counter),
/// reset the device with the memory it allocated at start-up, and once the fault is gone move a
/// burst each way exactly once and byte for byte, never delivering a frame twice or corrupted.
/// The bench checks at Dispose that no DMA left the driver's memory and nothing was written
/// outside its buffers.
/// </summary>
[Trait("Category", "Faults")]
public sealed class VirtioFaultTests
{
    private static readonly TimeSpan DetectLimit = TimeSpan.FromSeconds(2);
    // Longest a traffic step (two sends, two bounded waits of 0.2 ms, two receives) may take while
    // the device misbehaves: a reset timeout (50 ms) plus scheduling slack.
    private static readonly TimeSpan StepLimit = TimeSpan.FromMilliseconds(400);

    private readonly ITestOutputHelper _output;

    public VirtioFaultTests(ITestOutputHelper output) { _output = output; }

    private static readonly NicKind[] AllKinds = { NicKind.VirtioPci, NicKind.VirtioMmio, NicKind.VirtioMmioLegacy };
    private static readonly NicKind[] ModernKinds = { NicKind.VirtioPci, NicKind.VirtioMmio };

    /// <summary>Every virtio transport in polling and interrupt mode.</summary>
    public static TheoryData<NicKind, bool> AllTransports => Modes(AllKinds);

    /// <summary>The modern transports (a generation counter, DEVICE_NEEDS_RESET) in both modes.</summary>
    public static TheoryData<NicKind, bool> ModernTransports => Modes(ModernKinds);

    /// <summary>Used-ring faults on the receive (0) and transmit (1) queue, every transport, both modes.</summary>
    public static TheoryData<VirtioFault, int, NicKind, bool> UsedRingFaults
    {
        get
        {
            var data = new TheoryData<VirtioFault, int, NicKind, bool>();
            foreach (var fault in new[] { VirtioFault.UsedIdOutOfRange, VirtioFault.UsedIdDuplicate, VirtioFault.UsedLengthTooLong, VirtioFault.UsedIndexBackwards, VirtioFault.UsedIndexJump })
                foreach (int queue in new[] { 0, 1 })
                    foreach (var kind in AllKinds)
                        if (fault != VirtioFault.UsedLengthTooLong || queue == 0)   // a transmit used length is ignored (VirtioModelTests)
                            foreach (bool interrupts in new[] { false, true })
                                data.Add(fault, queue, kind, interrupts);
            return data;
        }
    }

    private static TheoryData<NicKind, bool> Modes(NicKind[] kinds)
    {
        var data = new TheoryData<NicKind, bool>();
        foreach (var kind in kinds) { data.Add(kind, false); data.Add(kind, true); }
        return data;
    }

    [Theory, MemberData(nameof(UsedRingFaults))]
    public void An_impossible_used_element_is_refused_and_the_device_reset(VirtioFault fault, int queue, NicKind kind, bool interrupts)
        // Receive faults strike B (which receives A's frames), transmit faults A (which sends them).
        => Run(kind, interrupts, fault, victim: queue == 0 ? 1 : 0, queue, persistent: false, NicStatus.DeviceError, s => s.ProtocolErrors);

    [Theory, MemberData(nameof(AllTransports))]
    public void A_transmit_queue_the_device_never_completes_times_out_and_is_reset(NicKind kind, bool interrupts)
        => Run(kind, interrupts, VirtioFault.TxNeverCompletes, victim: 0, queue: 1, persistent: true, NicStatus.Timeout, s => s.Timeouts);

    [Theory, MemberData(nameof(AllTransports))]
    public void A_receive_queue_the_device_never_completes_trips_the_watchdog_and_is_reset(NicKind kind, bool interrupts)
        => Run(kind, interrupts, VirtioFault.RxNeverCompletes, victim: 1, queue: 0, persistent: true, NicStatus.Timeout, s => s.Timeouts,
               VirtioFaultBench.Options(interrupts, receiveWatchdog: 50_000));

    [Theory, MemberData(nameof(ModernTransports))]
    public void A_configuration_generation_that_never_settles_times_out_and_recovers_once_it_does(NicKind kind, bool interrupts)
        => Run(kind, interrupts, VirtioFault.GenerationChurn, victim: 1, queue: 0, persistent: true, NicStatus.Timeout, s => s.Timeouts);

    [Theory, MemberData(nameof(ModernTransports))]
    public void Device_needs_reset_under_traffic_is_a_device_error_and_the_device_is_reset(NicKind kind, bool interrupts)
    {
        Run(kind, interrupts, VirtioFault.NeedsReset, victim: 1, queue: 0, persistent: false, NicStatus.DeviceError, s => s.DeviceErrors);
        Run(kind, interrupts, VirtioFault.NeedsReset, victim: 0, queue: 0, persistent: false, NicStatus.DeviceError, s => s.DeviceErrors);
    }

    [Theory, MemberData(nameof(AllTransports))]
    public void A_device_reset_behind_the_drivers_back_is_a_device_error_and_the_device_is_set_up_again(NicKind kind, bool interrupts)
    {
        Run(kind, interrupts, VirtioFault.SurpriseReset, victim: 1, queue: 0, persistent: false, NicStatus.DeviceError, s => s.DeviceErrors);
        Run(kind, interrupts, VirtioFault.SurpriseReset, victim: 0, queue: 0, persistent: false, NicStatus.DeviceError, s => s.DeviceErrors);
    }

    [Theory, MemberData(nameof(AllTransports))]
    public void A_reset_that_never_completes_is_a_bounded_timeout_retried_until_the_device_answers(NicKind kind, bool interrupts)
    {
        var options = VirtioFaultBench.Options(interrupts);
        using var bench = new VirtioFaultBench(kind, options);
        var traffic = bench.Traffic();
        traffic.BurstBothWays(32);
        INic nic = bench.B;
        VirtioNetDevice device = bench.Device(1);
        NicStats before = nic.Stats();
        long receivedBefore = traffic.Delivered(1);
        long resets = device.Resets;

        device.Faults.Arm(VirtioFault.ResetNeverCompletes, persistent: true);
        traffic.Send(0, 16);                                  // a burst in flight towards B
        var clock = Stopwatch.StartNew();
        NicStatus status = nic.Reset();
        TimeSpan took = clock.Elapsed;
        Assert.Equal(NicStatus.Timeout, status);
        Assert.InRange(took.TotalMilliseconds, options.ResetTimeoutMicroseconds / 1000.0, options.ResetTimeoutMicroseconds / 1000.0 + StepLimit.TotalMilliseconds);
        Assert.Equal(NicStatus.Timeout, nic.LastError);
        Assert.True(nic.Stats().Timeouts > before.Timeouts);
        Assert.False(nic.Link().Up);                          // not running

        // While the device stays broken the driver retries by itself; every call stays bounded.
        traffic.StepUntil(() => nic.Stats().Recoveries >= before.Recoveries + 2, DetectLimit);
        Assert.Equal(resets, device.Resets);                  // no reset ever completed
        long injected = device.Faults.Injected;
        device.Faults.Clear();
        Recovered(bench, traffic, 1, resets, before, receivedBefore);
        Report(VirtioFault.ResetNeverCompletes, kind, interrupts, 1, injected, nic, took, took, traffic);
    }

    [Theory, MemberData(nameof(AllTransports))]
    public void Link_flapping_under_traffic_is_tracked_without_errors_duplicates_or_corruption(NicKind kind, bool interrupts)
    {
        using var bench = new VirtioFaultBench(kind, VirtioFaultBench.Options(interrupts));
        var traffic = bench.Traffic();
        traffic.BurstBothWays(32);
        VirtioNetDevice device = bench.Device(1);
        NicStats before = bench.B.Stats();

        device.Faults.Arm(VirtioFault.LinkFlap, persistent: true, afterEvents: 4, period: 6);
        var clock = Stopwatch.StartNew();
        // Link() as an application polls it (legacy virtio-mmio has no generation to notice changes by).
        traffic.StepUntil(() => { bench.B.Link(); return bench.B.Stats().LinkChanges >= before.LinkChanges + 4; }, DetectLimit);
        TimeSpan took = clock.Elapsed;
        long injected = device.Faults.Injected;
        device.Faults.Clear();
        if (!device.LinkUp) bench.Model(1).LinkUp = true;

        // A link change is no device error: nothing reset, nothing reported.
        Assert.Equal(NicStatus.Ok, bench.A.LastError);
        Assert.Equal(NicStatus.Ok, bench.B.LastError);
        Assert.Equal(0ul, bench.A.Stats().Recoveries + bench.B.Stats().Recoveries);
        traffic.StepUntil(() => bench.A.Link().Up && bench.B.Link().Up, DetectLimit);
        traffic.BurstBothWays(64);
        Assert.Equal(NicStatus.Ok, bench.B.LastError);
        Assert.True(traffic.LongestStep < StepLimit, $"a step took {traffic.LongestStep.TotalMilliseconds} ms");
        Report(VirtioFault.LinkFlap, kind, interrupts, 1, injected, bench.B, took, TimeSpan.Zero, traffic);
    }

    // Arms the fault on NIC victim's device under traffic, waits for the driver to recover from
    // it, checks what it reported, clears the fault and checks traffic resumes.
    private void Run(NicKind kind, bool interrupts, VirtioFault fault, int victim, int queue, bool persistent,
        NicStatus expected, Func<NicStats, ulong> counter, VirtioNetOptions? options = null)
    {
        using var bench = new VirtioFaultBench(kind, options ?? VirtioFaultBench.Options(interrupts));
        var traffic = bench.Traffic();
        traffic.BurstBothWays(32);                                    // the device works before the fault
        INic nic = bench.Nic(victim);
        VirtioNetDevice device = bench.Device(victim);
        NicStats before = nic.Stats();
        long receivedBefore = traffic.Delivered(victim);
        long resets = device.Resets;

        device.Faults.Arm(fault, queue, persistent, afterEvents: 6);
        var clock = Stopwatch.StartNew();
        TimeSpan struck = TimeSpan.Zero;
        traffic.StepUntil(() =>
        {
            if (struck == TimeSpan.Zero && device.Faults.Injected > 0) struck = clock.Elapsed;
            return nic.Stats().Recoveries > before.Recoveries;
        }, DetectLimit);
        TimeSpan detected = clock.Elapsed;
        if (struck == TimeSpan.Zero) struck = detected;       // struck and detected within one step
        long injected = device.Faults.Injected;
        Assert.True(injected > 0, "the fault never struck");

        NicStats after = nic.Stats();
        Assert.Equal(expected, nic.LastError);
        Assert.True(counter(after) > counter(before), $"{fault}: the error was not counted");
        device.Faults.Clear();
        Recovered(bench, traffic, victim, resets, before, receivedBefore);
        Report(fault, kind, interrupts, queue, injected, nic, detected - struck, detected, traffic);
    }

    // After the fault is cleared: the device runs again, was reset by the driver with the memory
    // from start-up, the other NIC saw no fault, counters went on, and a burst each way arrives
    // exactly once and byte for byte with no further fault.
    private static void Recovered(VirtioFaultBench bench, NicTraffic<INic> traffic, int victim, long resetsBefore, NicStats before, long receivedBefore)
    {
        INic nic = bench.Nic(victim);
        traffic.StepUntil(() => bench.A.Link().Up && bench.B.Link().Up, DetectLimit);
        Assert.True(bench.Device(victim).Resets > resetsBefore, "the driver never reset the device");
        Assert.True(bench.MemoryAsAtStartUp(0) && bench.MemoryAsAtStartUp(1), "a recovery allocated memory");
        Assert.Equal(0ul, bench.Nic(1 - victim).Stats().Recoveries);
        NicStats mid = nic.Stats();
        traffic.BurstBothWays(64);
        NicStats end = nic.Stats();
        Assert.Equal(mid.Recoveries, end.Recoveries);
        AssertCountersContinued(before, end, traffic.Delivered(victim) - receivedBefore);
        Assert.True(end.TxFrames > mid.TxFrames && mid.TxFrames >= before.TxFrames, "counters restarted");
        Assert.True(traffic.LongestStep < StepLimit, $"a step took {traffic.LongestStep.TotalMilliseconds} ms");
    }

    /// <summary>
    /// The receive counter went on through the recovery: it grew by at least every tagged frame
    /// the NIC delivered since <paramref name="before"/> (a counter zeroed by the reset would be
    /// short by what arrived before the fault plus the count at <paramref name="before"/>).
    /// </summary>
    internal static void AssertCountersContinued(NicStats before, NicStats end, long deliveredSince)
        => Assert.True((long)end.RxFrames - (long)before.RxFrames >= deliveredSince,
            $"counters restarted: RxFrames {before.RxFrames} -> {end.RxFrames} while {deliveredSince} tagged frames were delivered");

    private void Report(VirtioFault fault, NicKind kind, bool interrupts, int queue, long injected, INic nic, TimeSpan latency, TimeSpan total, NicTraffic<INic> traffic)
    {
        NicStats s = nic.Stats();
        string line = $"{fault}\t{kind}\t{(interrupts ? "interrupts" : "polling")}\tq{queue}\tinjected={injected}\tlast={nic.LastError}"
            + $"\tprotocol={s.ProtocolErrors}\tdevice={s.DeviceErrors}\ttimeouts={s.Timeouts}\trecoveries={s.Recoveries}\tlinkchanges={s.LinkChanges}"
            + $"\tdetect_ms={latency.TotalMilliseconds:F2}\ttotal_ms={total.TotalMilliseconds:F1}\tlongest_step_ms={traffic.LongestStep.TotalMilliseconds:F1}"
            + $"\trxA={traffic.Delivered(0)}\trxB={traffic.Delivered(1)}";
        _output.WriteLine(line);
        string? log = Environment.GetEnvironmentVariable("REGS_FAULT_LOG");
        if (log != null) lock (typeof(VirtioFaultTests)) System.IO.File.AppendAllText(log, line + Environment.NewLine);
    }
}
