using System;
using System.Diagnostics;
using Regs.Drivers.Igb;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime.Qtest;
using Regs.Testing.NicKinds;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Drivers.Tests.Faults;

/// <summary>
/// Device resets under traffic on QEMU's own igb (two NICs on a hub): the driver's own
/// <see cref="IgbNic{TAccess, THost}.Reset"/> called with a burst in flight, and CTRL.RST set by
/// the test through its own BAR0 handle behind the driver's back. Afterwards NIC A must have kept
/// its SetMac address, its multicast group and its counters, and traffic must resume exactly once
/// and byte-exact, with no frame delivered twice at any point.
/// </summary>
[Trait("Category", "Qtest")]
public sealed class IgbQtestFaultTests
{
    private readonly ITestOutputHelper _output;

    public IgbQtestFaultTests(ITestOutputHelper output) { _output = output; }

    private sealed class Bench : IgbFaultTraffic<QtestAccess, QtestHost>, IDisposable
    {
        private readonly QtestBench _qemu;

        public Bench(string name, bool interrupts)
        {
            _qemu = new QtestBench(NicKind.Igb, Wiring.BackToBack, name);
            HostA = Machine.NicHost(0, "igbA");
            var options = new IgbOptions
            {
                InterruptMode = interrupts,
                SetMac = true,
                Mac = SetMacAddress,
                HangMicroseconds = 500_000,
                WatchdogIntervalMicroseconds = 50_000,
            };
            Assert.Equal(NicStatus.Ok, IgbNic<QtestAccess, QtestHost>.Initialise(HostA, options, out Nics[0]));
            Assert.Equal(NicStatus.Ok, IgbNic<QtestAccess, QtestHost>.Initialise(Machine.NicHost(1, "igbB"), options with { SetMac = false }, out Nics[1]));
            Assert.Equal(NicStatus.Ok, A.AddMulticast(Group));
            WaitForLinks();
        }

        public QemuMachine Machine => _qemu.Machine;
        public QtestHost HostA { get; }

        public void Dispose() => _qemu.Dispose();
    }

    private static (NicStats Stats, nuint Dma, nuint Private) Warm(Bench bench)
    {
        bench.Burst(1, 300);
        bench.Burst(0, 60);
        return (bench.A.Stats(), bench.Machine.Dma.Used, bench.Machine.PrivateMemory.Used);
    }

    // Frames both ways left in the rings and on the hub when the reset comes.
    private static void PutFramesInFlight(Bench bench)
    {
        bench.Send(1, 64);
        bench.A.WaitForReceive(2_000);
        bench.Receive(0);         // A delivers some of them before the reset; none may come again
        bench.Send(0, 32);
    }

    private void Resumes(Bench bench, (NicStats Stats, nuint Dma, nuint Private) before)
    {
        bench.WaitForLinks();
        Assert.Equal(before.Dma, bench.Machine.Dma.Used);
        Assert.Equal(before.Private, bench.Machine.PrivateMemory.Used);
        NicStatus lastError = bench.A.LastError;
        NicStats quiet = bench.A.Stats();
        bench.Burst(1, 300);
        bench.Burst(0, 100);
        Assert.Equal(Bench.SetMacAddress.Bits, bench.A.Mac.Bits);
        Assert.True(bench.GroupFrameReachesA(Bench.Group), "the multicast group was lost in the reset");
        Assert.False(bench.GroupFrameReachesA(Bench.OtherGroup), "a group never joined was accepted");
        NicStats after = bench.A.Stats();
        // Counters continue (not zeroed): every frame A delivered since start-up is counted once.
        Assert.Equal(bench.Delivered(0), (long)after.RxFrames);
        Assert.True(after.RxFrames >= before.Stats.RxFrames + 300 && after.TxFrames >= before.Stats.TxFrames + 100);
        Assert.Equal(quiet.Recoveries, after.Recoveries);
        Assert.Equal(lastError, bench.A.LastError);
        _output.WriteLine($"QEMU {bench.A.LastError}: rx {after.RxFrames} tx {after.TxFrames} resets {bench.A.DeviceStats().Resets} recoveries {after.Recoveries} deviceErrors {after.DeviceErrors}");
    }

    [Fact]
    public void The_drivers_own_reset_with_a_burst_in_flight_keeps_its_state_and_traffic_resumes()
    {
        using var bench = new Bench("igb-fault-reset", interrupts: false);
        var before = Warm(bench);
        PutFramesInFlight(bench);
        var watch = Stopwatch.StartNew();
        Assert.Equal(NicStatus.Ok, bench.A.Reset());
        _output.WriteLine($"QEMU Reset() took {watch.ElapsedMilliseconds} ms");
        Assert.Equal(NicStatus.Ok, bench.A.LastError);
        Assert.Equal(1ul, bench.A.DeviceStats().Resets);
        Resumes(bench, before);
    }

    [Theory, InlineData(false), InlineData(true)]
    public void A_reset_behind_the_drivers_back_is_found_and_recovered_with_its_state(bool interrupts)
    {
        using var bench = new Bench($"igb-fault-rst-{interrupts}", interrupts);
        var before = Warm(bench);
        PutFramesInFlight(bench);

        // CTRL.RST through the test's own BAR0 handle, not the driver's.
        Assert.True(bench.HostA.TryMapBar(0, out QtestAccess bar, out _));
        var registers = new global::Regs.Igb.Igb<QtestAccess>(bar);
        var ctrl = registers.CTRL.Read();
        ctrl.RST = true;
        registers.CTRL.Write(ctrl);
        Assert.False(registers.RCTL.Read().EN);   // QEMU's reset cleared the receiver

        TimeSpan detected = bench.DriveUntil(
            () => bench.A.LastError == NicStatus.DeviceError && bench.A.Stats().Recoveries == before.Stats.Recoveries + 1 && bench.A.IsInitialised,
            TimeSpan.FromSeconds(5));
        _output.WriteLine($"QEMU reset behind the driver ({(interrupts ? "interrupt" : "polling")}): detected and recovered in {detected.TotalMilliseconds:F0} ms");
        Assert.Equal(before.Stats.DeviceErrors + 1, bench.A.Stats().DeviceErrors);
        Assert.Equal(1ul, bench.A.DeviceStats().Resets);
        Resumes(bench, before);
    }
}
