using System;
using System.Diagnostics;
using System.Linq;
using Regs.Drivers.Tests.VfioGuest;
using Regs.Runtime.Qtest;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Drivers.Tests.BareMetal;

/// <summary>
/// The bare-metal toolchain end to end: drivers/Regs.BareMetal.Image built by `dotnet build`
/// (against runtime/Regs.BareMetal.CoreLib, ILC, lld-link) and booted under QEMU + OVMF with igb
/// and virtio-net attached. A missing prerequisite (QEMU >= 8, lld, ovmf) fails with what to
/// install; nothing is skipped.
/// </summary>
[Trait("Category", "BareMetal")]
public sealed class BareMetalBootTests
{
    /// <summary>Generous for TCG on a slow machine: the image powers off after ~3 s here.</summary>
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(90);

    private readonly ITestOutputHelper _output;

    /// <summary>A test writing progress and timings to <paramref name="output"/>.</summary>
    public BareMetalBootTests(ITestOutputHelper output) => _output = output;

    /// <summary>The image prints its hello line on the serial console and powers QEMU off (exit 0).</summary>
    [Fact]
    public void Image_brings_up_both_nics_talks_to_slirp_and_powers_off()
    {
        var total = Stopwatch.StartNew();
        VfioGuestHarness.EnsureQemu();
        BareMetalImage.EnsurePrerequisites();
        var image = BareMetalImage.Build(_output.WriteLine);
        var run = BareMetalBoot.Run(image.EfiPath, BootTimeout, _output.WriteLine);

        string context = $"\nSerial log {run.SerialLog}:\n{HostTools.Tail(run.ConsoleText)}\nQEMU warnings ({run.QemuLog.Path}):\n{QemuLog.Summarise(run.QemuLog.Warnings)}Command: {run.CommandLine}";
        foreach (string line in run.ImageLines) _output.WriteLine("image: " + line);
        _output.WriteLine($"image {image.Size} bytes; build {image.BuildTime.TotalSeconds:F1} s; first image line after {run.FirstImageLine?.TotalSeconds:F1} s; " +
            $"QEMU run {run.Elapsed.TotalSeconds:F1} s; total {total.Elapsed.TotalSeconds:F1} s");

        Assert.True(run.ImageLines.Contains("hello"), $"the image did not print '{BareMetalBoot.Prefix} hello'" + context);
        var failed = run.ImageLines.Where(l => l.StartsWith("fail-fast", StringComparison.Ordinal) || l.Contains("FAILED", StringComparison.Ordinal)).ToArray();
        Assert.True(failed.Length == 0, $"the image reported: {string.Join("; ", failed)}" + context);
        Assert.True(run.QemuExitCode == 0, $"QEMU exited with {run.QemuExitCode}" + context);

        // The bring-up: both NICs found by ID, MACs equal to the ones given to QEMU, link up, and
        // slirp's answers to ARP and ICMP echo received through each driver.
        foreach (string expected in new[]
        {
            "serial console: 16550 at 0x3f8",      // later lines come straight from the UART, not ConOut
            "corelib ok",
            "igb: mac 52:54:00:12:34:56 link up",
            "igb: arp reply 10.0.2.2 is-at 52:55:0a:00:02:02",
            "igb: icmp echo reply from 10.0.2.2",
            "virtio-net: mac 52:54:00:12:34:57 link up",
            "virtio-net: arp reply 10.0.2.2 is-at 52:55:0a:00:02:02",
            "virtio-net: icmp echo reply from 10.0.2.2",
            "power off",
        })
            Assert.True(run.ImageLines.Any(l => l.StartsWith(expected, System.StringComparison.Ordinal)), $"no line starting '{expected}'" + context);

        // A normal bring-up: QEMU has nothing to say about what the drivers did (the firmware's own disk accesses aside).
        var warnings = QemuWarnings.AssertNoUnexpected(run.QemuLog, BareMetalBoot.FirmwareWarnings, "QEMU (bare-metal boot)");
        _output.WriteLine($"QEMU warnings: {warnings.Counts} ({run.QemuLog.Path})");
        foreach (string unseen in warnings.Unseen) _output.WriteLine($"note: expected QEMU warning not logged: {unseen}");
    }
}
