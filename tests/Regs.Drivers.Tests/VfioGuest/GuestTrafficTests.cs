using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Regs.Runtime.Qtest;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Drivers.Tests.VfioGuest;

/// <summary>What the guest's traffic phase printed for one run (GuestImage.TrafficPhase), parsed from its "traffic LABEL ..." lines.</summary>
public sealed class GuestTrafficRun
{
    private readonly IReadOnlyList<string> _lines;

    /// <summary>The run's lines of <paramref name="initLines"/> (without the "traffic LABEL " prefix).</summary>
    public GuestTrafficRun(string label, IReadOnlyList<string> initLines)
    {
        Label = label;
        string prefix = $"traffic {label} ";
        _lines = initLines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => l[prefix.Length..]).ToList();
    }

    /// <summary>The run's label.</summary>
    public string Label { get; }
    /// <summary>Its lines, without the prefix.</summary>
    public IReadOnlyList<string> Lines => _lines;

    /// <summary>The value of key=VALUE on the run's first line starting with <paramref name="step"/>, or null.</summary>
    public string? Value(string step, string key)
    {
        string? line = Line(step);
        if (line is null) return null;
        var m = Regex.Match(line, $@"(?:^|\s){Regex.Escape(key)}=(\S*)");
        return m.Success ? m.Groups[1].Value : null;
    }

    /// <summary>The run's first line starting with <paramref name="step"/> and a space, or null.</summary>
    public string? Line(string step) => _lines.FirstOrDefault(l => l.StartsWith(step + " ", StringComparison.Ordinal));

    /// <summary>The number of key=N on <paramref name="step"/>'s line, or -1.</summary>
    public long Number(string step, string key) => long.TryParse(Value(step, key), NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : -1;

    /// <summary>The seconds of <paramref name="step"/> (guest clock), or 0.</summary>
    public double Seconds(string step) => double.TryParse(Value(step, "seconds"), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) ? s : 0;

    /// <summary>(transmitted, received) from the ping line, or (-1, -1).</summary>
    public (int Transmitted, int Received) Ping
    {
        get
        {
            var m = Regex.Match(Line("ping") ?? "", @"(\d+) packets transmitted, (\d+) packets received");
            return m.Success ? (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)) : (-1, -1);
        }
    }
}

/// <summary>
/// The issue's proof with the Linux stack at the far end (Category=Traffic): inside the shared
/// guest boot (<see cref="VfioGuestBoot"/>), Regs igb and Regs virtio-net, each exposed to the guest
/// kernel as a TAP interface by `regs-demo tap`, and then Linux's own igb and virtio_net drivers on
/// the same emulated devices, each carry: slirp's DHCP, ping of 10.0.2.2, a 32 MiB HTTP download
/// from and a 32 MiB upload to the test's server on the host's loopback (<see cref="TrafficServer"/>),
/// both compared by SHA-256 computed on each side, and one TCP connection from the host into the
/// guest through hostfwd. Throughput is printed, never asserted.
/// </summary>
[Collection(VfioGuestBoot.Collection)]
[Trait("Category", "Traffic")]
public sealed class GuestTrafficTests
{
    private readonly ITestOutputHelper _output;
    private readonly VfioGuestBoot _boot;

    /// <summary>A test on the shared <paramref name="boot"/>.</summary>
    public GuestTrafficTests(VfioGuestBoot boot, ITestOutputHelper output)
    {
        _boot = boot;
        _output = output;
    }

    /// <summary>Every driver carries TCP both ways, byte-exact, and takes a connection from the host.</summary>
    [Fact]
    public void EveryDriverCarriesThirtyTwoMebibytesEachWayAndAConnectionFromTheHost()
    {
        var result = _boot.Result;
        var run = result.Run;
        var server = _boot.Server;
        foreach (string line in _boot.Log) _output.WriteLine(line);
        var traffic = run.InitLines.Where(l => l.StartsWith("traffic ", StringComparison.Ordinal)).ToList();
        foreach (string line in traffic) _output.WriteLine("init: " + line);
        foreach (string line in server.Events) _output.WriteLine("server: " + line);
        string context = $"\nSerial log {run.SerialLog}:\n{HostTools.Tail(string.Join('\n', traffic))}\nServer:\n{string.Join('\n', server.Events)}";

        string? upload = traffic.Select(l => Regex.Match(l, @"^traffic upload-file bytes=(\d+) sha256=([0-9a-f]{64})")).Where(m => m.Success).Select(m => m.Groups[2].Value).FirstOrDefault();
        Assert.True(upload is not null, "the guest made no upload file (or the traffic phase did not run)" + context);
        Assert.True(traffic.Any(l => l.StartsWith("traffic end ", StringComparison.Ordinal)), "the traffic phase did not finish" + context);
        Assert.True(traffic.Contains($"traffic mark {GuestImage.LinuxDriversMark} status=0"), "the guest did not mark the start of Linux's drivers on the server" + context);

        var figures = new List<string>();
        var failures = new List<string>();
        foreach (var (label, driver, nic, tap, tapOptions) in GuestImage.TrafficRuns)
        {
            var r = new GuestTrafficRun(label, run.InitLines);
            void Expect(bool ok, string what) { if (!ok) failures.Add($"{label}: {what}"); }

            string mac = nic == "igb" ? new LinuxGuestOptions().IgbMac : new LinuxGuestOptions().VirtioMac;
            string expectedDriver = driver == "regs" ? "tun" : nic == "igb" ? "igb" : "virtio_net";
            Expect(r.Line("interface") is not null, $"no interface came up ({string.Join("; ", r.Lines.Where(l => l.StartsWith("FAIL", StringComparison.Ordinal)))})");
            if (r.Line("interface") is null) continue;
            Expect(r.Value("interface", "mac") == mac && r.Value("interface", "driver") == expectedDriver && (tap.Length == 0 || r.Value("interface", "if") == tap),
                $"expected {(tap.Length == 0 ? "an interface" : tap)} with MAC {mac} and driver {expectedDriver}, got '{r.Line("interface")}'");
            string? address = r.Value("dhcp", "addr");
            Expect(r.Value("dhcp", "status") == "0" && address is not null && address.StartsWith("10.0.2.", StringComparison.Ordinal), $"no DHCP lease: '{r.Line("dhcp")}'");
            var (transmitted, received) = r.Ping;
            Expect(transmitted > 0 && received == transmitted, $"ping of 10.0.2.2: '{r.Line("ping")}'");

            // Download: the guest's hash of what it stored against the host's of what it served.
            Expect(r.Value("download", "status") == "0" && r.Number("download", "bytes") == GuestImage.TransferBytes && r.Value("download", "sha256") == server.DownloadSha256,
                $"download: guest '{r.Line("download")}', host served {GuestImage.TransferBytes} bytes with sha256={server.DownloadSha256}");
            Expect(server.Downloads.TryGetValue(label, out var served) && served.Error is null && served.Bytes == GuestImage.TransferBytes, $"the server did not serve the whole download: {served}");
            // Upload: the host's hash of what arrived against the guest's of what it sent.
            Expect(server.Uploads.TryGetValue(label, out var received2) && received2.Error is null && received2.Bytes == GuestImage.TransferBytes && received2.Sha256 == upload,
                $"upload: the guest sent {GuestImage.TransferBytes} bytes with sha256={upload}, the host got {received2?.ToString() ?? "nothing"}");
            Expect(r.Value("upload", "status") == "0", $"upload: '{r.Line("upload")}'");
            // The connection from the host: what the host read against what the guest served.
            Expect(r.Value("hostfwd", "status") == "0" && server.Forwards.TryGetValue(label, out var forward) && forward.Error is null
                && forward.Bytes == r.Number("hostfwd", "bytes") && forward.Sha256 == r.Value("hostfwd", "sha256"),
                $"hostfwd: guest '{r.Line("hostfwd")}', host {(server.Forwards.TryGetValue(label, out var f) ? f.ToString() : "made no connection")}");

            if (tapOptions.Contains("--offloads", StringComparison.Ordinal))
            {
                // The NIC turned its offloads on, and the bridge handed it frames that use them.
                string? ready = r.Line("ready");
                Expect(ready is not null && ready.Contains("tx-csum", StringComparison.Ordinal) && ready.Contains("tso4", StringComparison.Ordinal),
                    $"the NIC did not report its offloads on: '{ready}'");
                string? stopped = r.Lines.FirstOrDefault(l => l.StartsWith("demo: tap ", StringComparison.Ordinal) && l.Contains(" stopped:", StringComparison.Ordinal));
                var offloaded = Regex.Match(stopped ?? "", @"offloaded=(\d+)");
                Expect(offloaded.Success && long.Parse(offloaded.Groups[1].Value, CultureInfo.InvariantCulture) > 0, $"no frame used an offload: '{stopped}'");
            }

            double down = r.Seconds("download"), up = r.Seconds("upload");
            figures.Add($"{label,-13} download {Rate(GuestImage.TransferBytes, down),7} MB/s ({down:F2} s; host {served?.MegabytesPerSecond:F2} MB/s)  upload {Rate(GuestImage.TransferBytes, up),7} MB/s ({up:F2} s; host {received2?.MegabytesPerSecond:F2} MB/s)");
        }
        _output.WriteLine("throughput (guest clock, 32 MiB each way, MB = 10^6 bytes):");
        foreach (string line in figures) _output.WriteLine("  " + line);
        _output.WriteLine($"traffic phase: {Phase(run)}");
        if (run.TracePath is not null)
        {
            // Counting mode (GuestCounts, REGS_GUEST_COUNTS=1): register accesses and interrupts per MB, each direction.
            var counts = GuestCounts.Count(GuestCounts.Lines(run.TracePath), GuestImage.TrafficRuns.Select(r => (r.Label, r.Nic)).ToList());
            _output.WriteLine($"register accesses and interrupts per MB (10^6 bytes; 32 MiB each way; trace {run.TracePath}):");
            _output.WriteLine(GuestCounts.Table(counts, GuestImage.TransferBytes));
            foreach (var (label, _, _, _, _) in GuestImage.TrafficRuns)
                foreach (string direction in new[] { "download", "upload" })
                    if (!counts.Any(c => c.Label == label && c.Direction == direction && c.Reads + c.Writes > 0))
                        failures.Add($"counts: no {direction} interval with NIC accesses for {label} in the trace");
        }

        // The 64-byte frame rate, 100,000 frames each way: Regs (FrameRate.cs, in the main run) and
        // Linux's drivers driven by pktgen (after the traffic runs). Printed, never asserted; each
        // line must be there and have received frames.
        var rates = run.GuestLines.Concat(run.InitLines).Where(l => l.StartsWith("RATE ", StringComparison.Ordinal)).ToList();
        _output.WriteLine("64-byte frame rate (received frames per second, guest clock):");
        foreach (string line in rates) _output.WriteLine("  " + line);
        foreach (string label in new[] { "regs-poll igb->virtio", "regs-poll virtio->igb", "regs-msix igb->virtio", "regs-msix virtio->igb", "linux igb-to-virtio", "linux virtio-to-igb" })
        {
            string? line = rates.FirstOrDefault(l => l.StartsWith($"RATE {label} ", StringComparison.Ordinal));
            var got = Regex.Match(line ?? "", @" received=(\d+)");
            if (!got.Success || long.Parse(got.Groups[1].Value, CultureInfo.InvariantCulture) == 0) failures.Add($"frame rate {label}: '{line}'");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures) + context);
        Assert.True(run.QemuExitCode == 0, $"QEMU exited with {run.QemuExitCode}" + context);
        var (regsWarnings, linuxWarnings) = _boot.SplitWarnings();
        _output.WriteLine($"QEMU's igb model on Linux's own igb driver (the reference, not asserted): {linuxWarnings.Count} warning(s)\n{QemuLog.Summarise(linuxWarnings)}");
        var warnings = QemuWarnings.AssertNoUnexpected(regsWarnings, VfioGuestHarnessTests.ProvokedWarnings, "QEMU (VFIO guest, traffic)");
        _output.WriteLine($"QEMU warnings: {warnings.Counts} ({run.QemuLog.Path}; up to the Linux runs: {regsWarnings.Path})");
    }

    private static string Rate(long bytes, double seconds) => seconds > 0 ? (bytes / seconds / 1e6).ToString("F2", CultureInfo.InvariantCulture) : "-";

    // The guest uptimes of "traffic start" and "traffic end".
    private static string Phase(GuestRun run)
    {
        double? At(string prefix) => run.InitLines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
            .Select(l => Regex.Match(l, @"uptime=([0-9.]+)")).Where(m => m.Success)
            .Select(m => (double?)double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).FirstOrDefault();
        double? start = At("traffic start "), end = At("traffic end ");
        return start is null || end is null ? "incomplete" : $"guest uptime {start:F1} s to {end:F1} s ({end - start:F1} s)";
    }
}
