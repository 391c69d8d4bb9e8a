using System;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using Regs.Drivers.Tests.VfioGuest;
using Regs.Runtime.Qtest;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>The README's demo, run as a user runs it (its own process, the build's Regs.Demo.dll), with its output checked.</summary>
public sealed class DemoTests
{
    /// <summary>The demo as `dotnet build Regs.sln` left it, in this test assembly's configuration.</summary>
    internal static string DemoAssembly()
    {
        string configuration = typeof(DemoTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        string path = Path.Combine(HostTools.RepoRoot, "drivers", "Regs.Demo", "bin", configuration, "net10.0", "Regs.Demo.dll");
        Assert.True(File.Exists(path), $"{path} is missing: build the demo first (dotnet build Regs.sln -c {configuration}; ./test.sh does)");
        return path;
    }

    private static (int Exit, string Output, string Error) RunDemo(string[] args, string? qemu = null, string? qemuLog = null)
    {
        var start = new ProcessStartInfo(HostTools.Which("dotnet") ?? "dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(DemoAssembly());
        foreach (string a in args) start.ArgumentList.Add(a);
        if (qemu != null) start.Environment["REGS_QEMU"] = qemu;
        // The demo's QEMU logs its warnings where the test can check them.
        if (qemuLog != null) start.Environment[QemuLog.PathVariable] = qemuLog;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "the demo did not finish within 2 minutes");
        return (process.ExitCode, output, error.Result);
    }

    [Fact, Trait("Category", "Model")]
    public void Demo_on_the_models_exchanges_arp_and_icmp_both_ways()
    {
        var (exit, output, error) = RunDemo(Array.Empty<string>());
        Assert.True(exit == 0, output + error);
        Assert.Contains("igb         MAC 52:54:00:12:34:56", output);
        Assert.Contains("virtio-net  MAC 52:54:00:12:34:57", output);
        Assert.Contains("igb -> virtio-net: ARP who-has 10.0.2.16  ->  is-at 52:54:00:12:34:57", output);
        Assert.Contains("igb -> virtio-net: ICMP echo request 10.0.2.15 -> 10.0.2.16  ->  reply", output);
        Assert.Contains("virtio-net -> igb: ARP who-has 10.0.2.15  ->  is-at 52:54:00:12:34:56", output);
        Assert.Contains("virtio-net -> igb: ICMP echo request 10.0.2.16 -> 10.0.2.15  ->  reply", output);
        Assert.DoesNotContain("FAIL", output);
        Assert.Contains("DMA faults 0", output);
        Assert.Contains("demo: all exchanges succeeded", output);
    }

    [Theory, Trait("Category", "Qtest")]
    [InlineData(false)]
    [InlineData(true)]
    public void Demo_on_qemu_also_talks_to_the_slirp_gateway(bool interrupts)
    {
        var log = new QemuLog(QemuWarnings.NewLogPath($"demo-{interrupts}"));
        var (exit, output, error) = RunDemo(interrupts ? new[] { "--backend", "qemu", "--interrupts" } : new[] { "--backend", "qemu" }, qemuLog: log.Path);
        Assert.True(exit == 0, output + error);
        QemuWarnings.AssertNoUnexpected(log, Array.Empty<string>(), "the demo's QEMU");
        Assert.Contains("igb -> virtio-net: ICMP echo request 10.0.2.15 -> 10.0.2.16  ->  reply", output);
        Assert.Contains("igb -> gateway: ARP who-has 10.0.2.2  ->  is-at 52:55:0a:00:02:02", output);
        Assert.Contains("virtio-net -> gateway: ICMP echo request 10.0.2.16 -> 10.0.2.2  ->  reply", output);
        Assert.Contains(interrupts ? "interrupt mode" : "polling mode", output);
        Assert.DoesNotContain("FAIL", output);
    }

    [Fact, Trait("Category", "Qtest")]
    public void A_missing_qemu_gives_a_message_naming_the_package_not_a_stack_trace()
    {
        var (exit, _, error) = RunDemo(new[] { "--backend", "qemu" }, qemu: "/nonexistent/qemu-system-x86_64");
        Assert.Equal(2, exit);
        Assert.Contains("apt-get install -t bookworm-backports qemu-system-x86", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact, Trait("Category", "Model")]
    public void Help_lists_every_backend_and_option()
    {
        var (exit, output, _) = RunDemo(new[] { "--help" });
        Assert.Equal(0, exit);
        Assert.Contains("--backend <model|qemu|vfio>", output);
        foreach (string described in new[] { "model = in-process", "qemu = QEMU", "vfio = real NICs", "--device <BDF>", "--gateway", "--interrupts", "--verbose" })
            Assert.Contains(described, output);
    }

    [Theory, Trait("Category", "Model")]
    [InlineData("--backend", "nonsense")]
    [InlineData("--no-such-option")]
    public void A_usage_error_exits_2_and_says_what_is_wrong(params string[] args)
    {
        var (exit, output, error) = RunDemo(args);
        Assert.Equal(2, exit);
        Assert.Contains(args[^1], output + error);
    }

    [Fact, Trait("Category", "Model")]
    public void Vfio_without_a_device_is_a_usage_error()
    {
        var (exit, _, error) = RunDemo(new[] { "--backend", "vfio" });
        Assert.Equal(2, exit);
        Assert.Contains("--backend vfio needs one or two --device BDF", error);
    }
}
