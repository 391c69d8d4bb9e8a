using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Regs.Benchmarks;

/// <summary>
/// The generator's stages, steady state (warmed-up process). The compile is the large cost; the
/// cold, first-in-process figures come from <c>dotnet run -- cold</c> (<see cref="ColdGenerator"/>).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 7)]
public class GeneratorBenchmarks
{
    private GeneratorWorkload _work = null!;
    private ImmutableArray<GeneratedSourceResult> _sources;
    private GeneratorDriver _driver = null!;
    private CSharpCompilation _before = null!, _after = null!;

    [Params("igb", "virtio", "syn1000", "syn5000", "syn10000")]
    public string Map { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _work = GeneratorWorkload.Create(Map);
        _sources = _work.Generate();
        _before = GeneratorWorkload.EmptyCompilation();
        _after = GeneratorWorkload.EmptyCompilation("namespace User { internal static class Marker { public static int Edited => 1; } }");
        _driver = _work.Driver().RunGenerators(_before);
    }

    [Benchmark] public int Parse() => _work.Parse();
    [Benchmark] public int Check() => _work.Check();
    [Benchmark] public int Generate() => _work.Generate().Length;
    [Benchmark] public long Compile() => GeneratorWorkload.Compile(_sources);

    /// <summary>A second run after an edit to an unrelated C# file: the YAML pipeline should be cached.</summary>
    [Benchmark] public int IncrementalRerun() => _driver.RunGenerators(_after).GetRunResult().GeneratedTrees.Length;
}
