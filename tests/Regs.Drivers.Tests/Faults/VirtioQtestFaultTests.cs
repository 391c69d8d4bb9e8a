using System;
using System.Diagnostics;
using Regs.Drivers.Virtio;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime.Qtest;
using Regs.Testing.NicKinds;
using Regs.Testing.Traffic;
using Regs.Virtio;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Drivers.Tests.Faults;

/// <summary>
/// Device resets under traffic on QEMU's virtio-net: the driver's own <see cref="INic.Reset"/>
/// with a burst in flight, and a reset behind the driver's back (the test writes 0 to the device
/// status through its own register handle). Either way the driver comes back with the same MAC,
/// the same negotiated features and counters that go on, and traffic resumes exactly once and
/// byte for byte.
/// </summary>
[Trait("Category", "Qtest")]
public sealed class VirtioQtestFaultTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);
    private readonly ITestOutputHelper _output;

    public VirtioQtestFaultTests(ITestOutputHelper output) { _output = output; }

    /// <summary>The virtio transports QEMU runs.</summary>
    public static TheoryData<NicKind> Kinds => new() { NicKind.VirtioPci, NicKind.VirtioMmio, NicKind.VirtioMmioLegacy };

    [Theory, MemberData(nameof(Kinds))]
    public void The_drivers_own_reset_with_a_burst_in_flight_keeps_its_state_and_traffic_resumes(NicKind kind)
        => ResetUnderTraffic(kind, behindTheDriversBack: false);

    [Theory, MemberData(nameof(Kinds))]
    public void A_reset_behind_the_drivers_back_is_detected_and_recovered_without_losing_state(NicKind kind)
        => ResetUnderTraffic(kind, behindTheDriversBack: true);

    private void ResetUnderTraffic(NicKind kind, bool behindTheDriversBack)
    {
        using var bench = new QtestBench(kind, Wiring.BackToBack, $"vreset-{kind}-{behindTheDriversBack}");
        INic a = bench.Open(0, interrupts: false);
        INic b = bench.Open(1, interrupts: false);
        NicScenarios.WaitForLink(ref a, up: true);
        NicScenarios.WaitForLink(ref b, up: true);
        // Steps wait up to 2 ms on each NIC and read both links, as an application polls them.
        var traffic = new NicTraffic<INic>(a, b) { DefaultStep = new TrafficStep(WaitA: 2_000, WaitB: 2_000, PollLinks: true) };
        traffic.BurstBothWays(32);

        MacAddress mac = b.Mac;
        VirtioNetFeatures features = Drivers.VirtioFeatures(b);
        NicStats before = b.Stats();
        long receivedBefore = traffic.Delivered(1);
        Assert.True(before.RxFrames >= 32 && before.TxFrames > 0);

        // A burst in flight both ways, then the reset.
        traffic.Send(0, 32);
        traffic.Send(1, 32);
        var clock = Stopwatch.StartNew();
        TimeSpan detected;
        if (behindTheDriversBack)
        {
            ResetThroughOwnHandle(bench.Machine, kind, 1);
            traffic.StepUntil(() => b.Stats().Recoveries > before.Recoveries, Limit);
            detected = clock.Elapsed;
            Assert.Equal(NicStatus.DeviceError, b.LastError);
            Assert.Equal(before.DeviceErrors + 1, b.Stats().DeviceErrors);
        }
        else
        {
            Assert.Equal(NicStatus.Ok, b.Reset());
            detected = clock.Elapsed;
            Assert.Equal(NicStatus.Ok, b.LastError);
        }
        traffic.StepUntil(() => a.Link().Up && b.Link().Up, Limit);

        // Same identity and options, counters continue, no fault on the other side.
        Assert.Equal(mac.Bits, b.Mac.Bits);
        Assert.Equal(bench.ExpectedMac(1), b.Mac.Bits);
        Assert.Equal(features, Drivers.VirtioFeatures(b));
        NicStats after = b.Stats();
        Assert.True(after.RxFrames >= before.RxFrames && after.TxFrames >= before.TxFrames, "counters restarted");
        Assert.Equal(0ul, a.Stats().Recoveries);
        Assert.Equal(NicStatus.Ok, a.LastError);

        traffic.BurstBothWays(64);
        NicStats end = b.Stats();
        VirtioFaultTests.AssertCountersContinued(before, end, traffic.Delivered(1) - receivedBefore);
        Assert.Equal(after.Recoveries, end.Recoveries);
        Assert.True(traffic.LongestStep < TimeSpan.FromSeconds(1), $"a step took {traffic.LongestStep.TotalMilliseconds} ms");
        string line = $"qemu reset {(behindTheDriversBack ? "behind-back" : "own-reset")} {kind}: detected+reset {detected.TotalMilliseconds:F1} ms, "
            + $"recoveries {end.Recoveries}, device errors {end.DeviceErrors}, rx {before.RxFrames}->{end.RxFrames}, tx {before.TxFrames}->{end.TxFrames}, "
            + $"tagged received A {traffic.Delivered(0)} B {traffic.Delivered(1)}, features 0x{(ulong)features:X}";
        _output.WriteLine(line);
        string? log = Environment.GetEnvironmentVariable("REGS_FAULT_LOG");
        if (log != null) lock (typeof(VirtioFaultTests)) System.IO.File.AppendAllText(log, line + Environment.NewLine);
    }

    // The test's own handle on NIC nic's registers, apart from the driver's: 0 to device_status
    // (4.1.4.3) or Status (4.2.2, 4.2.4) resets the device.
    private static void ResetThroughOwnHandle(QemuMachine machine, NicKind kind, int nic)
    {
        QtestHost host = machine.NicHost(nic);
        switch (kind)
        {
            case NicKind.VirtioPci:
                Assert.Equal(NicStatus.Ok, VirtioPciTransport<QtestAccess>.TryOpen(ref host, VirtioDeviceType.Network, out var pci));
                pci.WriteStatus(0);
                Assert.Equal((DeviceStatus)0, pci.ReadStatus());
                break;
            case NicKind.VirtioMmio:
                Assert.Equal(NicStatus.Ok, VirtioMmioTransport<QtestAccess>.TryOpen(host.Registers, VirtioDeviceType.Network, out var mmio));
                mmio.WriteStatus(0);
                Assert.Equal((DeviceStatus)0, mmio.ReadStatus());
                break;
            default:
                Assert.Equal(NicStatus.Ok, VirtioMmioLegacyTransport<QtestAccess>.TryOpen(host.Registers, VirtioDeviceType.Network, out var legacy));
                legacy.WriteStatus(0);
                Assert.Equal((DeviceStatus)0, legacy.ReadStatus());
                break;
        }
    }
}
