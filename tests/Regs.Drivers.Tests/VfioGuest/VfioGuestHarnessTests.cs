using System.Linq;
using Regs.Runtime.Qtest;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Drivers.Tests.VfioGuest;

/// <summary>
/// The harness itself: a Linux guest under QEMU (TCG, emulated Intel IOMMU) binds igb and
/// virtio-net to vfio-pci and runs the NativeAOT guest program. A missing prerequisite fails
/// (the message says what to install); nothing is skipped. The boot is shared with
/// <see cref="GuestTrafficTests"/> (<see cref="VfioGuestBoot"/>).
/// </summary>
[Collection(VfioGuestBoot.Collection)]
[Trait("Category", "VfioGuest")]
public sealed class VfioGuestHarnessTests
{
    private readonly ITestOutputHelper _output;
    private readonly VfioGuestBoot _boot;

    /// <summary>A test on the shared <paramref name="boot"/>, writing progress and timings to <paramref name="output"/>.</summary>
    public VfioGuestHarnessTests(VfioGuestBoot boot, ITestOutputHelper output)
    {
        _boot = boot;
        _output = output;
    }

    /// <summary>What the guest program proves (tests/Regs.VfioGuest/Scenarios.cs), by check name.</summary>
    private static readonly string[] ExpectedChecks = new[] { "vfio-container", "igb-vfio", "virtio-vfio", "iova-ranges-disjoint", "demo-vfio", "error-not-bound-to-vfio-pci", "error-no-such-device", "dmar-init", "dmar-driver-error", "dmar-fault-logged", "resources-released", "throughput-poll" }
        .Concat(new[] { "poll", "msix", "intx", "raw" }.SelectMany(mode => new[] { $"igb-init-{mode}", $"virtio-init-{mode}", $"link-up-{mode}", $"igb-slirp-{mode}", $"virtio-slirp-{mode}", $"igb-to-virtio-{mode}" }))
        .Concat(new[] { "poll", "msix", "intx" }.SelectMany(mode => new[] { $"virtio-to-igb-{mode}", $"burst-{mode}" }))
        .Concat(new[] { "msix", "intx" }.SelectMany(mode => new[] { $"virtio-wakes-on-interrupt-{mode}", $"igb-wakes-on-interrupt-{mode}" }))
        .Concat(GuestImage.KillCycleRuns.SelectMany(c => new[] { "init", "link", "slirp", "nic-to-nic", "burst", "no-dmar-fault" }
            .Append(c.Route == "vfio" ? "bus-master-off" : "bus-master-off-on-open").Select(check => $"{c.Label}-{check}")))
        .ToArray();

    /// <summary>
    /// QEMU's warnings the guest program provokes on purpose (Scenarios.cs, "dmar"): virtio-net
    /// given a receive buffer outside every IOMMU mapping (FaultyDmaHost) faults in QEMU's
    /// intel-iommu (error_report_once, so once per run each), and the descriptor the device then
    /// cannot read arrives as a zero-sized buffer, which virtio_error reports (the driver sees the
    /// device needing a reset: check dmar-driver-error).
    /// </summary>
    internal static readonly string[] ProvokedWarnings = new[]
    {
        @"^qemu-system-\w+: vtd_iova_to_slpte: detected slpte permission error \(iova=0x[0-9a-f]+, .*\)$",
        @"^qemu-system-\w+: vtd_iommu_translate: detected translation failure \(dev=00:03:00, iova=0x[0-9a-f]+\)$",
        @"^qemu-system-\w+: virtio: zero sized buffers are not allowed$",
    };

    /// <summary>Boots the guest once and checks what /init and the guest program reported.</summary>
    [Fact]
    public void GuestBindsBothNicsToVfioAndRunsTheProgram()
    {
        var result = _boot.Result;
        foreach (string line in _boot.Log) _output.WriteLine(line);
        var run = result.Run;
        string context = $"\nSerial log {run.SerialLog}:\n{HostTools.Tail(run.ConsoleText)}\nQEMU warnings ({run.QemuLog.Path}):\n{QemuLog.Summarise(run.QemuLog.Warnings)}";
        foreach (string line in run.InitLines) _output.WriteLine("init: " + line);
        foreach (string line in run.GuestLines) _output.WriteLine("guest: " + line);

        Assert.True(run.GuestLines.Contains("hello"), "the guest program did not print its hello line" + context);
        foreach (var (name, bdf) in new[] { ("igb", LinuxGuest.IgbBdf), ("virtio", LinuxGuest.VirtioBdf) })
        {
            var nic = run.Nics.FirstOrDefault(n => n.Name == name);
            Assert.True(nic is not null, $"/init did not find the {name} NIC" + context);
            Assert.True(nic!.Bdf == bdf && nic.Driver == "vfio-pci" && nic.Group.Length != 0,
                $"{name}: expected {bdf} bound to vfio-pci with an IOMMU group, got {nic}" + context);
        }
        Assert.True(run.Nics.Select(n => n.Group).Distinct().Count() == 2, "each NIC should have its own IOMMU group" + context);
        Assert.True(run.Passed.Contains("vfio-container"), "/dev/vfio/vfio is missing in the guest" + context);
        // Every check must have run and passed: a check that silently did not run is a failure too.
        var missing = ExpectedChecks.Where(c => !run.Passed.Contains(c)).ToArray();
        Assert.True(missing.Length == 0, $"checks that did not pass: {string.Join(", ", missing)}; failed: {string.Join("; ", run.Failed)}" + context);
        Assert.True(run.GuestLines.Any(l => l.StartsWith("dmesg ", System.StringComparison.Ordinal) && l.Contains("DMAR") && l.Contains("fault addr")),
            "the guest kernel logged no DMAR fault for the buffer outside every mapping" + context);
        Assert.True(run.Summaries.Count == 1 + GuestImage.KillCycleRuns.Count && run.Summaries.All(s => s.Failed == 0 && s.Passed > 0),
            $"guest summaries {string.Join(", ", run.Summaries)}, failed: {string.Join("; ", run.Failed)}" + context);
        Assert.True(run.GuestExitCode == 0, $"the guest program exited with {run.GuestExitCode?.ToString() ?? "nothing"}" + context);

        // Each kill cycle: both streams ran traffic both ways before the kill, SIGKILL killed, and the fresh run passed.
        foreach (var (label, route, killed, terminated) in GuestImage.KillCycleRuns)
        {
            string? line = run.InitLines.FirstOrDefault(l => l.StartsWith($"killed {label} ", System.StringComparison.Ordinal));
            Assert.True(line is not null && line.Contains($"{killed}=SIGKILL status=137") && line.Contains("streams=2"),
                $"kill cycle {label}: both streams should have run and {killed} died of SIGKILL (128 + 9), got '{line}'" + context);
            Assert.True(run.InitLines.Any(l => l.StartsWith($"AFTER-KILL {label} EXIT 0 ", System.StringComparison.Ordinal)),
                $"the fresh run after kill cycle {label} failed: {string.Join("; ", run.Failed)}" + context);
        }
        Assert.True(run.QemuExitCode == 0, $"QEMU exited with {run.QemuExitCode}" + context);

        // The warnings up to the traffic phase's Linux runs (those after are about Linux's igb: GuestTrafficTests reports them).
        var warnings = QemuWarnings.AssertNoUnexpected(_boot.SplitWarnings().Regs, ProvokedWarnings, "QEMU (VFIO guest)");
        _output.WriteLine($"QEMU warnings: {warnings.Counts} ({run.QemuLog.Path})");
        foreach (string unseen in warnings.Unseen) _output.WriteLine($"note: expected QEMU warning not logged: {unseen}");
    }
}
