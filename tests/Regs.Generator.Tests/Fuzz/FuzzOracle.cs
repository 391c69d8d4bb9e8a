using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Regs.Language;
using Regs.Language.Model;
using Regs.Language.Validation;

namespace Regs.Generator.Tests.Fuzz;

/// <summary>
/// What must hold for every input, however broken: the language and the generator return (no
/// exception, within <see cref="Bound"/>); a rejection carries at least one error located inside
/// the file; the generator reports exactly what the language found, never CS8785 (generator
/// failure), and emits nothing for a rejected file; an accepted file's generated C# compiles.
/// </summary>
internal static class FuzzOracle
{
    /// <summary>
    /// Per input, language and generator together. Inputs take milliseconds; the bound is wide
    /// because the first inputs pay for JIT-compiling Roslyn and other test classes share the 2 cores.
    /// </summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>Times: the language (Check), then the generator, then compiling its output (zero unless compiled).</summary>
    public sealed record Outcome(bool Rejected, TimeSpan Language, TimeSpan Generator, TimeSpan Compile, bool Compiled)
    {
        /// <summary>What the per-input bound is about: language and generator.</summary>
        public TimeSpan Elapsed => Language + Generator;
    }

    private static readonly Lazy<CSharpCompilation> Empty = new(() => GeneratorHarness.Compilation());

    /// <summary>Runs one input in place of <paramref name="seed"/> (beside its unmutated neighbours) on a watchdog; throws <see cref="FuzzFailure"/> on any violation.</summary>
    public static Outcome Run(string label, FuzzCorpus.Seed seed, string text, bool compile)
    {
        var files = new List<(string Path, string Text)> { (seed.Path, text) };
        files.AddRange(seed.Neighbours);
        var clock = Stopwatch.StartNew();
        Outcome? outcome = null;
        Exception? escaped = null;
        // A thread of its own, not a pool task: a busy pool must not look like a hang.
        var thread = new Thread(() =>
        {
            try { outcome = RunUnguarded(label, seed, files, compile, clock); }
            catch (Exception e) { escaped = e; }
        }) { IsBackground = true };
        thread.Start();
        if (!thread.Join(compile ? Bound + TimeSpan.FromSeconds(60) : Bound))
            throw Fail(label, files, $"no answer within {Bound.TotalSeconds} s (a hang)");
        if (escaped is FuzzFailure f) throw f;
        if (escaped != null) throw Fail(label, files, "an exception escaped: " + escaped);
        return outcome!;
    }

    private sealed record Parsed(string Path, FileModel? Model, EquatableArray<RegsDiagnostic> Diagnostics);

    /// <summary>Per seed: its neighbours parsed once, and a generator driver that has run on the unmutated files.</summary>
    private sealed record SeedState(List<Parsed> Neighbours, GeneratorDriver Driver, AdditionalText Original);

    private static readonly ConcurrentDictionary<string, Lazy<SeedState>> States = new();

    private static SeedState State(FuzzCorpus.Seed seed) => States.GetOrAdd(seed.Path, _ => new Lazy<SeedState>(() =>
    {
        var neighbours = seed.Neighbours.Select(n => { var (m, d) = RegsLanguage.Parse(n.Path, n.Text); return new Parsed(n.Path, m, d); }).ToList();
        var original = new InMemoryText(seed.Path, seed.Text);
        var texts = seed.Neighbours.Select(n => (AdditionalText)new InMemoryText(n.Path, n.Text)).Prepend(original);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new RegsGenerator().AsSourceGenerator() }, texts, GeneratorHarness.ParseOptions)
            .RunGenerators(Empty.Value);
        return new SeedState(neighbours, driver, original);
    })).Value;

    /// <summary>
    /// What <see cref="RegsLanguage.Check"/> does, with the unchanged neighbours parsed once:
    /// Parse the input, build the symbol table of all files, check every file's references.
    /// </summary>
    private static List<RegsDiagnostic> Check(SeedState state, string path, string text)
    {
        var (model, own) = RegsLanguage.Parse(path, text);
        var parsed = state.Neighbours.Prepend(new Parsed(path, model, own)).ToList();
        var diagnostics = parsed.SelectMany(p => p.Diagnostics).ToList();
        var models = parsed.Where(p => p.Model != null).Select(p => p.Model!).ToList();
        SymbolTable symbols = SymbolTable.Build(models, parsed.Where(p => p.Diagnostics.Count == 0).Select(p => p.Path).ToList());
        foreach (FileModel m in models) diagnostics.AddRange(RegsLanguage.CheckReferences(m, symbols).Diagnostics);
        return diagnostics;
    }

    private static Outcome RunUnguarded(string label, FuzzCorpus.Seed seed, List<(string Path, string Text)> files, bool compile, Stopwatch clock)
    {
        var texts = files.ToDictionary(f => f.Path, f => f.Text);
        SeedState state = State(seed);
        clock.Restart();
        List<RegsDiagnostic> diagnostics = Check(state, seed.Path, files[0].Text);
        foreach (RegsDiagnostic d in diagnostics)
        {
            if (!texts.TryGetValue(d.Path, out string? t))
                throw Fail(label, files, $"diagnostic for a file that was not given: {d}");
            if (LocationProblem(t, d.Loc.Line, d.Loc.Column, d.Loc.Start, d.Loc.End) is string why)
                throw Fail(label, files, $"unlocated diagnostic {d}: {why}");
        }
        bool rejected = diagnostics.Count > 0;
        TimeSpan languageTime = clock.Elapsed, generatorTime, compileTime = TimeSpan.Zero;

        // The real generator, incrementally: the input replaces the seed's text in a driver that has seen the neighbours.
        GeneratorDriver driver = state.Driver.ReplaceAdditionalText(state.Original, new InMemoryText(seed.Path, files[0].Text)).RunGenerators(Empty.Value);
        GeneratorDriverRunResult run = driver.GetRunResult();
        foreach (GeneratorRunResult r in run.Results)
            if (r.Exception != null) throw Fail(label, files, "the generator threw: " + r.Exception);
        var expected = new HashSet<(string, string, int, int)>(diagnostics.Select(d => (d.Path, d.Id, d.Loc.Line, d.Loc.Column)));
        foreach (Diagnostic d in run.Diagnostics)
        {
            FileLinePositionSpan span = d.Location.GetLineSpan();
            if (!d.Id.StartsWith("REGS", StringComparison.Ordinal) || d.Severity != DiagnosticSeverity.Error)
                throw Fail(label, files, $"generator reported {d} (CS8785 is a generator crash)");
            if (!expected.Contains((span.Path, d.Id, span.StartLinePosition.Line, span.StartLinePosition.Character)))
                throw Fail(label, files, $"generator reported {d}, which the language did not");
            if (d.Location.SourceSpan.End > texts[span.Path].Length)
                throw Fail(label, files, $"generator diagnostic {d} spans beyond the file");
        }
        if (rejected != run.Diagnostics.Length > 0)
            throw Fail(label, files, $"language rejected={rejected} but the generator reported {run.Diagnostics.Length} diagnostics");
        var hints = run.Results.SelectMany(r => r.GeneratedSources).Select(s => s.HintName).ToList();
        foreach (string broken in diagnostics.Select(d => d.Path).Distinct())
            if (hints.Any(h => h.EndsWith("." + FileStem(broken) + ".regs.g.cs", StringComparison.Ordinal)))
                throw Fail(label, files, $"{broken} was rejected but code was generated for it");
        // An empty file (or only comments) has no model and nothing to generate.
        bool hasModel = RegsLanguage.Parse(seed.Path, files[0].Text).Model != null;
        if (!rejected && hasModel && !hints.Any(h => h.EndsWith("." + FileStem(seed.Path) + ".regs.g.cs", StringComparison.Ordinal)))
            throw Fail(label, files, "accepted, but no code was generated for it");
        generatorTime = clock.Elapsed - languageTime;

        bool compiled = false;
        if (compile && !rejected)
        {
            GeneratorHarness.Driver(files.ToArray()).RunGeneratorsAndUpdateCompilation(Empty.Value, out Compilation output, out _);
            // CS0436: pci.regs.yaml is also compiled into Regs.Runtime, which the compilation references.
            var errors = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id != "CS0436").ToList();
            if (errors.Count > 0)
                throw Fail(label, files, "accepted, but the generated C# does not compile:\n" + string.Join("\n", errors.Take(5)));
            compiled = true;
            compileTime = clock.Elapsed - languageTime - generatorTime;
        }
        return new Outcome(rejected, languageTime, generatorTime, compileTime, compiled);
    }

    private static string FileStem(string path) => Path.GetFileName(path)[..^RegsLanguage.FileSuffix.Length];

    /// <summary>Null if (line, column, start, end) is a real place in <paramref name="text"/> and agree with each other.</summary>
    public static string? LocationProblem(string text, int line, int column, int start, int end)
    {
        var lineStarts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') { i++; lineStarts.Add(i + 1); }
            else if (c is '\r' or '\n' or '\u0085' or '\u2028' or '\u2029') lineStarts.Add(i + 1);
        }
        if (line < 0 || line >= lineStarts.Count) return $"line {line + 1} of {lineStarts.Count}";
        int lineEnd = line + 1 < lineStarts.Count ? lineStarts[line + 1] : text.Length;
        if (column < 0 || lineStarts[line] + column > lineEnd) return $"column {column + 1} beyond line {line + 1}";
        if (start < 0 || end < start || end > text.Length) return $"span {start}..{end} outside 0..{text.Length}";
        if (lineStarts[line] + column != start) return $"({line + 1},{column + 1}) is offset {lineStarts[line] + column}, but the span starts at {start}";
        return null;
    }

    private static FuzzFailure Fail(string label, List<(string Path, string Text)> files, string what)
    {
        // Keep the input: it becomes a regression test once understood.
        string dir = Path.Combine(Path.GetTempPath(), "regs-fuzz");
        Directory.CreateDirectory(dir);
        string saved = Path.Combine(dir, string.Concat(label.Select(c => char.IsLetterOrDigit(c) ? c : '-')) + ".regs.yaml");
        File.WriteAllText(saved, files[0].Text);
        string head = files[0].Text.Length > 1500 ? files[0].Text[..1500] + "..." : files[0].Text;
        return new FuzzFailure($"{label}: {what}\ninput saved to {saved}\n--- input ({files[0].Path}) ---\n{head}");
    }
}

internal sealed class FuzzFailure : Exception
{
    public FuzzFailure(string message) : base(message) { }
}
