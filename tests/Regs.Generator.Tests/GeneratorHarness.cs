using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Regs.Generator.Tests;

/// <summary>An in-memory YAML file handed to the generator as an AdditionalFiles item.</summary>
internal sealed class InMemoryText : AdditionalText
{
    private readonly SourceText _text;
    public InMemoryText(string path, string text) { Path = path; _text = SourceText.From(text); }
    public override string Path { get; }
    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}

/// <summary>Runs the real generator inside an in-memory compilation, as the compiler would.</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .ToList();
        paths.Add(typeof(Regs.Runtime.IRegisterAccess<>).Assembly.Location);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    public static CSharpCompilation Compilation(params string[] csharp)
        => CSharpCompilation.Create("Test",
            csharp.Select((c, i) => CSharpSyntaxTree.ParseText(c, ParseOptions, $"user{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true,
                nullableContextOptions: NullableContextOptions.Enable, generalDiagnosticOption: ReportDiagnostic.Error));

    /// <summary>A compilation like <see cref="Compilation"/> that does not reference Regs.Runtime.</summary>
    public static CSharpCompilation CompilationWithoutRuntime()
    {
        CSharpCompilation c = Compilation();
        string runtime = typeof(Regs.Runtime.IRegisterAccess<>).Assembly.Location;
        return c.RemoveReferences(c.References.Where(r => r is PortableExecutableReference pe && pe.FilePath == runtime));
    }

    public static GeneratorDriver Driver(params (string Path, string Text)[] files)
        => CSharpGeneratorDriver.Create(
            new[] { new RegsGenerator().AsSourceGenerator() },
            files.Select(f => (AdditionalText)new InMemoryText(f.Path, f.Text)),
            ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public sealed record Result(GeneratorDriverRunResult Run, Compilation Output, ImmutableArray<Diagnostic> CompileDiagnostics)
    {
        public ImmutableArray<Diagnostic> GeneratorDiagnostics => Run.Diagnostics;
        public IEnumerable<string> Sources => Run.Results.SelectMany(r => r.GeneratedSources).Select(s => s.SourceText.ToString());
    }

    /// <summary>Generates from <paramref name="files"/> and compiles the result with warnings as errors.</summary>
    public static Result Run(params (string Path, string Text)[] files)
    {
        GeneratorDriver driver = Driver(files).RunGeneratorsAndUpdateCompilation(Compilation(), out Compilation output, out _);
        GeneratorDriverRunResult run = driver.GetRunResult();
        foreach (GeneratorRunResult r in run.Results)
            if (r.Exception != null) throw new Exception("the generator threw", r.Exception);
        return new Result(run, output, output.GetDiagnostics());
    }

    public static Result Run(string yaml) => Run(("/src/test.regs.yaml", yaml));
}
