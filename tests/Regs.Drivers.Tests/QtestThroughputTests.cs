using System.Diagnostics;
using System.IO;
using Regs.Nic;
using Regs.Testing.NicKinds;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Drivers.Tests;

/// <summary>
/// Reference throughput through QEMU's device models driven over qtest (docs/performance.md):
/// every register access is a qtest round trip, so this shows the backend's cost, not the
/// driver's. The burst itself is checked (exactly once, byte-exact); the figure is printed and
/// appended to artifacts/perf/qtest-throughput.txt, never asserted.
/// </summary>
[Trait("Category", "Qtest")]
public sealed class QtestThroughputTests
{
    private const int Frames = 500;
    private readonly ITestOutputHelper _output;

    public QtestThroughputTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(NicKind.Igb)]
    [InlineData(NicKind.VirtioPci)]
    public void A_burst_between_two_nics_arrives_exactly_once_and_its_rate_is_recorded(NicKind kind)
    {
        using var bench = new QtestBench(kind, Wiring.BackToBack, $"throughput-{kind}");
        INic a = bench.Open(0, interrupts: false);
        INic b = bench.Open(1, interrupts: false);
        NicScenarios.WaitForLink(ref a, up: true);
        NicScenarios.WaitForLink(ref b, up: true);
        long accesses = bench.Machine.Connection.Commands;

        var clock = Stopwatch.StartNew();
        NicScenarios.Traffic(a, b, wireKeepsOrder: false).Burst(0, Frames, batch: 32);
        clock.Stop();

        long commands = bench.Machine.Connection.Commands - accesses;
        string line = $"{kind}: {Frames} frames (60-1460 B) in {clock.Elapsed.TotalMilliseconds:F0} ms = {Frames / clock.Elapsed.TotalSeconds:F0} frames/s, {commands} qtest commands ({(double)commands / Frames:F1} per frame)";
        _output.WriteLine(line);
        string dir = Path.Combine(VfioGuest.HostTools.RepoRoot, "artifacts", "perf");
        Directory.CreateDirectory(dir);
        File.AppendAllText(Path.Combine(dir, "qtest-throughput.txt"), line + "\n");
    }
}
