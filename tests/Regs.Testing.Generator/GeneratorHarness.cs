using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Regs.Generator;

namespace Regs.Testing.Generator;

/// <summary>Runs the real generator inside an in-memory compilation, as the compiler would.</summary>
public static class GeneratorHarness
{
    // The framework's System.* assemblies and Regs.Runtime, which generated code compiles against.
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .ToList();
        paths.Add(typeof(Regs.Runtime.IRegisterAccess<>).Assembly.Location);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    /// <summary>C# as the compiler parses the project's code: the latest language version.</summary>
    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    /// <summary>
    /// A library compilation of <paramref name="csharp"/> against the framework and Regs.Runtime:
    /// warnings as errors (tests), or optimised as a Release build compiles (benchmarks).
    /// </summary>
    public static CSharpCompilation Compilation(bool releaseBuild, params string[] csharp)
        => CSharpCompilation.Create(releaseBuild ? "Bench" : "Test",
            csharp.Select((c, i) => CSharpSyntaxTree.ParseText(c, ParseOptions, $"user{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true,
                nullableContextOptions: NullableContextOptions.Enable,
                generalDiagnosticOption: releaseBuild ? ReportDiagnostic.Default : ReportDiagnostic.Error,
                optimizationLevel: releaseBuild ? OptimizationLevel.Release : OptimizationLevel.Debug));

    /// <summary>A test compilation (warnings as errors) of <paramref name="csharp"/>.</summary>
    public static CSharpCompilation Compilation(params string[] csharp) => Compilation(false, csharp);

    /// <summary>A compilation like <see cref="Compilation(string[])"/> that does not reference Regs.Runtime.</summary>
    public static CSharpCompilation CompilationWithoutRuntime()
    {
        CSharpCompilation c = Compilation();
        string runtime = typeof(Regs.Runtime.IRegisterAccess<>).Assembly.Location;
        return c.RemoveReferences(c.References.Where(r => r is PortableExecutableReference pe && pe.FilePath == runtime));
    }

    /// <summary>A generator driver over <paramref name="files"/>, tracking its steps (for the incremental tests).</summary>
    public static GeneratorDriver Driver(IEnumerable<(string Path, string Text)> files)
        => CSharpGeneratorDriver.Create(
            new[] { new RegsGenerator().AsSourceGenerator() },
            files.Select(f => (AdditionalText)new InMemoryText(f.Path, f.Text)),
            ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <inheritdoc cref="Driver(IEnumerable{ValueTuple{string, string}})"/>
    public static GeneratorDriver Driver(params (string Path, string Text)[] files) => Driver((IEnumerable<(string Path, string Text)>)files);

    /// <summary>What one generator run produced, and the diagnostics of compiling it.</summary>
    public sealed record Result(GeneratorDriverRunResult Run, Compilation Output, ImmutableArray<Diagnostic> CompileDiagnostics)
    {
        /// <summary>The generator's own diagnostics (REGSnnn).</summary>
        public ImmutableArray<Diagnostic> GeneratorDiagnostics => Run.Diagnostics;

        /// <summary>The generated sources' text.</summary>
        public IEnumerable<string> Sources => Run.Results.SelectMany(r => r.GeneratedSources).Select(s => s.SourceText.ToString());
    }

    /// <summary>Generates from <paramref name="files"/> and compiles the result with warnings as errors.</summary>
    public static Result Run(params (string Path, string Text)[] files)
    {
        GeneratorDriver driver = Driver(files).RunGeneratorsAndUpdateCompilation(Compilation(), out Compilation output, out _);
        GeneratorDriverRunResult run = driver.GetRunResult();
        foreach (GeneratorRunResult r in run.Results)
            if (r.Exception != null) throw new InvalidOperationException("the generator threw", r.Exception);
        return new Result(run, output, output.GetDiagnostics());
    }

    /// <summary>Generates from one file of <paramref name="yaml"/>.</summary>
    public static Result Run(string yaml) => Run(("/src/test.regs.yaml", yaml));
}
