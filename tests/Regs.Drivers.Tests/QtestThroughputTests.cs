using System.Diagnostics;
using System.IO;
using Regs.Nic;
using Regs.Testing.NicKinds;
using Regs.Testing.Traffic;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Drivers.Tests;

/// <summary>
/// Reference throughput through QEMU's device models driven over qtest (docs/performance.md):
/// every register access is a qtest round trip, so this shows the backend's cost, not the
/// driver's. The burst it times must arrive whole (every frame exactly once, byte for byte) at a
/// rate above zero; the figure itself is not a target. It is printed and written to
/// <see cref="ResultsFolder"/>, where the benchmarks put their reports.
/// </summary>
[Trait("Category", "Qtest")]
public sealed class QtestThroughputTests
{
    /// <summary>BenchmarkDotNet's results folder as tests/Regs.Benchmarks/BenchConfig.cs sets it (git-ignored).</summary>
    public static readonly string ResultsFolder = Path.Combine(VfioGuest.HostTools.RepoRoot, "artifacts", "bdn", "results");

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
        var traffic = NicScenarios.Traffic(a, b, wireKeepsOrder: false);
        long accesses = bench.Machine.Connection.Commands;

        var clock = Stopwatch.StartNew();
        SentFrames burst = traffic.Burst(0, Frames, batch: 32);
        clock.Stop();

        long commands = bench.Machine.Connection.Commands - accesses;
        double rate = Frames / clock.Elapsed.TotalSeconds;
        Assert.Equal(Frames, burst.Count);
        for (int i = 0; i < Frames; i++) Assert.True(burst.Flow.WasDelivered(burst.Id(i)), $"frame {burst.Id(i)} never arrived");
        Assert.Equal((long)Frames, traffic.Delivered(1));        // each exactly once, none corrupted (a bad frame fails the burst)
        Assert.Equal(0, traffic.ProblemCount);
        Assert.True(double.IsFinite(rate) && rate > 0, $"rate {rate} frames/s");

        string line = $"{kind}: {Frames} frames ({TestFrame.MinimumLength}-{TestFrame.MaximumLength} B) in {clock.Elapsed.TotalMilliseconds:F0} ms = {rate:F0} frames/s, {commands} qtest commands ({(double)commands / Frames:F1} per frame)";
        _output.WriteLine(line);
        Directory.CreateDirectory(ResultsFolder);
        File.WriteAllText(Path.Combine(ResultsFolder, $"{typeof(QtestThroughputTests).FullName}-{kind}.txt"), line + "\n");
    }
}
