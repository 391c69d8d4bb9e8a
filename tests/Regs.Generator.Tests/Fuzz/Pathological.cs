using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Regs.Language;
using Regs.Language.Model;
using Xunit;

namespace Regs.Generator.Tests.Fuzz;

/// <summary>
/// Runs one hostile input through the language and then the real generator, each on a thread of
/// its own under a watchdog, measuring wall time and the bytes that thread allocated.
/// </summary>
internal static class Pathological
{
    public sealed record Measured(List<RegsDiagnostic> Diagnostics, TimeSpan LanguageTime, long LanguageBytes,
        IReadOnlyList<Diagnostic> GeneratorDiagnostics, int GeneratedSources, string Generated, TimeSpan GeneratorTime, long GeneratorBytes)
    {
        public override string ToString()
            => $"language {LanguageTime.TotalMilliseconds:F0} ms / {LanguageBytes / 1024.0:F0} KiB, generator {GeneratorTime.TotalMilliseconds:F0} ms / {GeneratorBytes / 1024.0:F0} KiB; "
               + (Diagnostics.Count == 0 ? "accepted" : $"{Diagnostics[0]}");
    }

    public static readonly TimeSpan Watchdog = TimeSpan.FromSeconds(60);

    public static Measured Run(string path, string text)
    {
        var (diagnostics, languageTime, languageBytes) = Timed(() => RegsLanguage.Check(new[] { (path, text) }).Diagnostics);
        var ((run, source), generatorTime, generatorBytes) = Timed(() =>
        {
            GeneratorDriver driver = GeneratorHarness.Driver((path, text)).RunGenerators(GeneratorHarness.Compilation());
            GeneratorDriverRunResult r = driver.GetRunResult();
            return (r, string.Concat(r.Results.SelectMany(x => x.GeneratedSources).Select(s => s.SourceText.ToString())));
        });
        foreach (GeneratorRunResult r in run.Results) Assert.Null(r.Exception);
        foreach (RegsDiagnostic d in diagnostics)
            Assert.True(FuzzOracle.LocationProblem(text, d.Loc.Line, d.Loc.Column, d.Loc.Start, d.Loc.End) == null,
                $"{d}: {FuzzOracle.LocationProblem(text, d.Loc.Line, d.Loc.Column, d.Loc.Start, d.Loc.End)}");
        Assert.All(run.Diagnostics, d => Assert.StartsWith("REGS", d.Id));
        Assert.Equal(diagnostics.Count > 0, run.Diagnostics.Length > 0);
        return new Measured(diagnostics, languageTime, languageBytes, run.Diagnostics,
            run.Results.Sum(r => r.GeneratedSources.Length), source, generatorTime, generatorBytes);
    }

    /// <summary>Runs <paramref name="work"/> on a fresh thread: its allocations are counted alone, and a hang fails instead of blocking.</summary>
    public static (T Value, TimeSpan Time, long Bytes) Timed<T>(Func<T> work)
    {
        T value = default!;
        long bytes = 0;
        Exception? error = null;
        var clock = new Stopwatch();
        var thread = new Thread(() =>
        {
            try
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                clock.Start();
                value = work();
                clock.Stop();
                bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            }
            catch (Exception e) { error = e; }
        }, 16 * 1024 * 1024) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(Watchdog), $"no answer within {Watchdog.TotalSeconds} s");
        if (error != null) throw new Exception("the input made the code throw", error);
        return (value, clock.Elapsed, bytes);
    }

    /// <summary>The (1-based) line and column of <paramref name="index"/> in <paramref name="text"/> ('\n' line ends).</summary>
    public static (int Line, int Column) Position(string text, int index)
    {
        int line = 1, start = 0;
        for (int i = 0; i < index; i++) if (text[i] == '\n') { line++; start = i + 1; }
        return (line, index - start + 1);
    }
}
