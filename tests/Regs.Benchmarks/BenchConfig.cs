using System.Collections.Generic;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Analysers;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Validators;

namespace Regs.Benchmarks;

/// <summary>
/// The configuration every suite runs with: allocation counts, the disassembly of each benchmark
/// (exported as GitHub markdown), reports under artifacts/bdn.
/// </summary>
public static class BenchConfig
{
    public static IConfig Create()
    {
        string root = FindRepoRoot();
        return DefaultConfig.Instance
            .WithArtifactsPath(Path.Combine(root, "artifacts", "bdn"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddDiagnoser(new QuietDisassemblyDiagnoser(new DisassemblyDiagnoser(new DisassemblyDiagnoserConfig(
                maxDepth: 2, printSource: false, exportGithubMarkdown: true, exportCombinedDisassemblyReport: true))))
            .AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median)
            .WithOption(ConfigOptions.JoinSummary, false);
    }

    private static string FindRepoRoot()
    {
        string? dir = Directory.GetCurrentDirectory();
        while (dir != null && !File.Exists(Path.Combine(dir, "Regs.sln")))
            dir = Path.GetDirectoryName(dir);
        return dir ?? Directory.GetCurrentDirectory();
    }
}

/// <summary>
/// BenchmarkDotNet 0.14's DisassemblyDiagnoser does not know .NET 10 and rejects it during
/// validation although disassembling it works; this wrapper forwards everything except that.
/// </summary>
public sealed class QuietDisassemblyDiagnoser : IDiagnoser
{
    private readonly DisassemblyDiagnoser _inner;
    public QuietDisassemblyDiagnoser(DisassemblyDiagnoser inner) { _inner = inner; }
    public IEnumerable<string> Ids => _inner.Ids;
    public IEnumerable<IExporter> Exporters => _inner.Exporters;
    public IEnumerable<IAnalyser> Analysers => _inner.Analysers;
    public RunMode GetRunMode(BenchmarkCase benchmarkCase) => _inner.GetRunMode(benchmarkCase);
    public void Handle(HostSignal signal, DiagnoserActionParameters parameters) => _inner.Handle(signal, parameters);
    public IEnumerable<Metric> ProcessResults(DiagnoserResults results) => _inner.ProcessResults(results);
    public void DisplayResults(ILogger logger) => _inner.DisplayResults(logger);
    public IEnumerable<ValidationError> Validate(ValidationParameters validationParameters)
        => _inner.Validate(validationParameters).Where(e => !e.Message.Contains("supports only .NET Core 3.0+", System.StringComparison.Ordinal));
}
