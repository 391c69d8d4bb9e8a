using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Regs.Language;
using Regs.Testing.Generator;

namespace Regs.Benchmarks;

/// <summary>The generator's stages on one register map: parse, check, generate, compile.</summary>
public sealed class GeneratorWorkload
{
    public GeneratorWorkload(string name, IReadOnlyList<(string Path, string Text)> files, int fields)
    {
        Name = name;
        Files = files;
        Fields = fields;
    }

    public string Name { get; }
    public IReadOnlyList<(string Path, string Text)> Files { get; }
    /// <summary>Fields in the map (for bytes per field).</summary>
    public int Fields { get; }

    /// <summary>The shipped definitions (defs/igb, defs/virtio) or a synthetic map of <c>registers</c> x 8 fields.</summary>
    public static GeneratorWorkload Create(string name)
    {
        if (name.StartsWith("syn", StringComparison.Ordinal))
        {
            int registers = int.Parse(name.Substring(3), System.Globalization.CultureInfo.InvariantCulture);
            return new GeneratorWorkload(name, new[] { ("/src/synthetic.regs.yaml", SyntheticMap.Build(registers, 8, docs: false)) }, registers * 8);
        }
        string dir = Path.Combine(RepoRoot(), "defs", name);
        var files = Directory.GetFiles(dir, "*" + RegsLanguage.FileSuffix).OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => (f, File.ReadAllText(f))).ToArray();
        int fields = CountFields(files);
        return new GeneratorWorkload(name, files, fields);
    }

    /// <summary>Register fields (in blocks and groups) plus layout members (in layouts and their views).</summary>
    private static int CountFields(IEnumerable<(string Path, string Text)> files)
    {
        var (models, _) = RegsLanguage.Check(files);
        int n = 0;
        foreach (var m in models)
        {
            foreach (var b in m.Blocks)
                n += b.Registers.Sum(r => r.Fields.Count()) + b.Groups.Sum(g => g.Registers.Sum(r => r.Fields.Count()));
            foreach (var l in m.Layouts)
                n += l.Members.Count() + l.Views.Sum(v => v.Members.Count());
        }
        return n;
    }

    public static string RepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir != null && !File.Exists(Path.Combine(dir, "Regs.sln")))
            dir = Path.GetDirectoryName(dir);
        dir ??= Directory.GetCurrentDirectory();
        while (dir != null && !File.Exists(Path.Combine(dir, "Regs.sln")))
            dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("run inside the repository");
    }

    public int Parse()
    {
        int n = 0;
        foreach (var (path, text) in Files)
            if (RegsLanguage.Parse(path, text).Model != null) n++;
        return n;
    }

    public int Check()
    {
        var (models, diagnostics) = RegsLanguage.Check(Files);
        if (diagnostics.Count != 0) throw new InvalidOperationException($"{Name}: {diagnostics[0]}");
        return models.Count;
    }

    /// <summary>The user's project before the generator runs: one class, compiled as a Release build.</summary>
    public static CSharpCompilation EmptyCompilation(string user = "namespace User { internal static class Marker { } }")
        => GeneratorHarness.Compilation(releaseBuild: true, user);

    public GeneratorDriver Driver() => GeneratorHarness.Driver(Files);

    /// <summary>Runs the generator once (fresh driver: parse, check and emit) and returns the generated sources.</summary>
    public ImmutableArray<GeneratedSourceResult> Generate()
    {
        var run = Driver().RunGenerators(EmptyCompilation()).GetRunResult();
        foreach (var r in run.Results)
            if (r.Exception != null) throw new InvalidOperationException("the generator threw", r.Exception);
        if (run.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
            throw new InvalidOperationException(run.Diagnostics.First().ToString());
        return run.Results.SelectMany(r => r.GeneratedSources).ToImmutableArray();
    }

    /// <summary>Compiles <paramref name="sources"/> against the runtime (CSharpCompilation.Emit to memory).</summary>
    public static long Compile(ImmutableArray<GeneratedSourceResult> sources)
    {
        var compilation = EmptyCompilation().AddSyntaxTrees(sources.Select(s => CSharpSyntaxTree.ParseText(s.SourceText, GeneratorHarness.ParseOptions, s.HintName)));
        using var pe = new MemoryStream();
        var result = compilation.Emit(pe);
        if (!result.Success)
            throw new InvalidOperationException(result.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error).ToString());
        return pe.Length;
    }

    public static long Bytes(ImmutableArray<GeneratedSourceResult> sources)
        => sources.Sum(s => (long)Encoding.UTF8.GetByteCount(s.SourceText.ToString()));
}
