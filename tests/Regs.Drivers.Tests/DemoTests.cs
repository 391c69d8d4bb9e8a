using System;
using System.IO;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>The README's demo, run as a user runs it, with its output checked.</summary>
[Collection("Console")]
public sealed class DemoTests
{
    private static (int Exit, string Output) RunDemo(params string[] args)
    {
        var output = new StringWriter();
        TextWriter original = Console.Out;
        Console.SetOut(output);
        try { return (Regs.Demo.Program.Main(args), output.ToString()); }
        finally { Console.SetOut(original); }
    }

    [Fact, Trait("Category", "Model")]
    public void Demo_on_the_models_exchanges_arp_and_icmp_both_ways()
    {
        var (exit, output) = RunDemo();
        Assert.True(exit == 0, output);
        Assert.Contains("igb         MAC 52:54:00:12:34:56", output);
        Assert.Contains("virtio-net  MAC 52:54:00:12:34:57", output);
        Assert.Contains("igb -> virtio-net: ARP who-has 10.0.2.16  ->  is-at 52:54:00:12:34:57", output);
        Assert.Contains("virtio-net -> igb: ARP who-has 10.0.2.15  ->  is-at 52:54:00:12:34:56", output);
        Assert.DoesNotContain("FAIL", output);
        Assert.Contains("DMA faults 0", output);
    }

    [Theory, Trait("Category", "Qtest")]
    [InlineData(false)]
    [InlineData(true)]
    public void Demo_on_qemu_also_talks_to_the_slirp_gateway(bool interrupts)
    {
        var (exit, output) = interrupts ? RunDemo("--backend", "qemu", "--interrupts") : RunDemo("--backend", "qemu");
        Assert.True(exit == 0, output);
        Assert.Contains("igb -> gateway: ARP who-has 10.0.2.2  ->  is-at 52:55:0a:00:02:02", output);
        Assert.Contains("virtio-net -> gateway: ICMP echo request 10.0.2.16 -> 10.0.2.2  ->  reply", output);
        Assert.DoesNotContain("FAIL", output);
    }

    [Fact, Trait("Category", "Qtest")]
    public void A_missing_qemu_gives_a_message_naming_the_package_not_a_stack_trace()
    {
        // Its own process: the QEMU lookup is cached per process.
        string demo = Path.Combine(AppContext.BaseDirectory, "Regs.Demo.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(demo);
        start.ArgumentList.Add("--backend");
        start.ArgumentList.Add("qemu");
        start.Environment["REGS_QEMU"] = "/nonexistent/qemu-system-x86_64";
        using var process = System.Diagnostics.Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000));
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("apt-get install -t bookworm-backports qemu-system-x86", error);
        Assert.DoesNotContain("   at ", error);
    }
}

/// <summary>Tests that redirect the console run one at a time.</summary>
[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection { }
