using System;
using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Regs.Drivers.Tests.VfioGuest;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Drivers.Tests.Tap;

/// <summary>
/// <c>regs-demo tap</c> as the VFIO guest runs it, here on the in-process model (an igb or
/// virtio-net model cabled to the model of slirp's gateway): the ready line, the kernel pinging
/// 10.0.2.2 through the interface the demo made, a clean stop on SIGTERM with the counters.
/// </summary>
[Trait("Category", "Traffic")]
public sealed class TapDemoTests
{
    private readonly ITestOutputHelper _output;

    public TapDemoTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Help_describes_the_tap_command_and_its_ready_line()
    {
        var (rootCode, rootHelp) = Demo("--help");
        Assert.Equal(0, rootCode);
        Assert.Matches(new Regex(@"^\s+tap\s+Expose one NIC", RegexOptions.Multiline), rootHelp);
        var (code, help) = Demo("tap", "--help");
        Assert.Equal(0, code);
        foreach (string described in new[] { "--backend <model|vfio>", "--device <BDF>", "--route <raw|vfio>", "--name <IFNAME>", "--interrupts", "--offloads <LIST>", "tx-checksum", "rx-checksum", "--up",
                     "IFF_TAP | IFF_NO_PI | IFF_VNET_HDR", "until SIGTERM or SIGINT",
                     "'tap NAME up|down mac=MAC mtu=MTU offloads=LIST nic=igb|virtio-net device=DEVICE mode=polling|interrupts'" })
            Assert.Contains(described, help);
    }

    [Theory]
    [InlineData("needs --device BDF", "tap", "--backend", "vfio")]
    [InlineData("--route raw has no interrupt delivery", "tap", "--device", "0000:00:02.0", "--route", "raw", "--interrupts")]
    [InlineData("--device igb or --device virtio", "tap", "--backend", "model", "--device", "e1000")]
    [InlineData("--offloads: jumbo is none of", "tap", "--backend", "model", "--offloads", "tx-checksum,jumbo")]
    public void Tap_usage_errors_exit_2_and_say_what_is_wrong(string message, params string[] args)
    {
        var (code, output) = Demo(args);
        Assert.Equal(2, code);
        Assert.Contains(message, output);
    }

    private static (int Code, string Output) Demo(params string[] args)
    {
        var all = new System.Collections.Generic.List<string> { DemoTests.DemoAssembly() };
        all.AddRange(args);
        return HostTools.Run(HostTools.Which("dotnet") ?? "dotnet", all, TimeSpan.FromSeconds(60));
    }

    [Theory]
    [InlineData("igb", "52:54:00:12:34:56", false, null, "none")]
    [InlineData("igb", "52:54:00:12:34:56", true, null, "none")]
    [InlineData("virtio", "52:54:00:12:34:57", false, null, "none")]
    [InlineData("igb", "52:54:00:12:34:56", true, "all", "tx-csum,tso4,tso6,rx-csum")]
    [InlineData("igb", "52:54:00:12:34:56", false, "tx-checksum,tso4,rx-checksum", "tx-csum,tso4,rx-csum")]
    public async Task The_demo_serves_the_nic_as_a_tap_interface_until_sigterm(string device, string mac, bool interrupts, string? offloads, string turnedOn)
    {
        using var lab = new TapLab();
        string name = lab.InterfaceName("d");
        var start = new ProcessStartInfo(HostTools.Which("dotnet") ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { DemoTests.DemoAssembly(), "tap", "--backend", "model", "--device", device, "--name", name, "--up" }) start.ArgumentList.Add(a);
        if (interrupts) start.ArgumentList.Add("--interrupts");
        if (offloads != null) { start.ArgumentList.Add("--offloads"); start.ArgumentList.Add(offloads); }
        using var demo = Process.Start(start)!;
        try
        {
            Task<string?> first = demo.StandardOutput.ReadLineAsync();
            Assert.True(await Task.WhenAny(first, Task.Delay(TimeSpan.FromSeconds(60))) == first, "the demo printed no ready line within 60 s");
            string ready = await first ?? "";
            _output.WriteLine(ready);
            string nic = device == "igb" ? "igb" : "virtio-net";
            Assert.Matches(new Regex($"^tap {name} up mac={mac} mtu=1500 offloads={turnedOn} nic={nic} device=model mode={(interrupts ? "interrupts" : "polling")}$"), ready);

            string ns = lab.Adopt(name, "10.0.2.15");
            _output.WriteLine(lab.Ping(ns, "10.0.2.2", 3));

            var (code, text) = HostTools.Run(HostTools.Which("kill")!, new[] { "-TERM", demo.Id.ToString() }, TimeSpan.FromSeconds(10));
            Assert.True(code == 0, text);
            Assert.True(demo.WaitForExit(10_000), "the demo did not stop within 10 s of SIGTERM");
            string rest = demo.StandardOutput.ReadToEnd();
            _output.WriteLine(rest);
            Assert.Equal(0, demo.ExitCode);
            // ARP request and three echo requests went in; ARP reply and three echo replies came out.
            Match stopped = Regex.Match(rest, $@"^tap {name} stopped: tap->nic frames=(\d+) bytes=\d+ nic->tap frames=(\d+) bytes=\d+ .*refused=0 stall-drops=0 read-errors=0 write-eagain=0 write-drops=0", RegexOptions.Multiline);
            Assert.True(stopped.Success, rest + demo.StandardError.ReadToEnd());
            Assert.True(int.Parse(stopped.Groups[1].Value) >= 4 && int.Parse(stopped.Groups[2].Value) >= 4, stopped.Value);
            Assert.Contains($"tap {name} nic counters: tx frames=", rest);
            // Interrupt mode slept in one poll() on the tap and the model's interrupt eventfd.
            Match combined = Regex.Match(rest, @"combined-waits=(\d+)");
            Assert.True(combined.Success, rest);
            if (interrupts) Assert.True(long.Parse(combined.Groups[1].Value) > 0, combined.Value);
            else Assert.Equal("0", combined.Groups[1].Value);
        }
        finally
        {
            if (!demo.HasExited) demo.Kill(entireProcessTree: true);
        }
    }
}
