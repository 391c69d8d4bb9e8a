using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Regs.Generator.Emit;
using Regs.Language;
using Regs.Language.Model;
using Regs.Language.Validation;

namespace Regs.Generator;

/// <summary>
/// Turns every AdditionalFiles item ending in .regs.yaml into C# accessors.
/// Pipeline: parse each file (cached per file) -> collect the exported symbols of all files
/// (equal unless a name or width changes) -> per file, check references and emit. Models and
/// diagnostics are plain values, so an unrelated edit leaves every step cached.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class RegsGenerator : IIncrementalGenerator
{
    public const string ParseStep = "Parse";
    public const string SymbolsStep = "Symbols";
    public const string EmitStep = "Emit";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<ParsedFile> files = context.AdditionalTextsProvider
            .Where(static t => t.Path.EndsWith(RegsLanguage.FileSuffix, StringComparison.OrdinalIgnoreCase))
            .Select(static (t, ct) =>
            {
                string text = t.GetText(ct)?.ToString() ?? "";
                var (model, diagnostics) = RegsLanguage.Parse(t.Path, text);
                return new ParsedFile(t.Path, model, diagnostics);
            })
            .WithTrackingName(ParseStep);

        IncrementalValueProvider<SymbolTable> symbols = files.Collect()
            .Select(static (all, _) => SymbolTable.Build(
                all.Where(f => f.Model != null).Select(f => f.Model!),
                new HashSet<string>(all.Where(f => f.Diagnostics.Count == 0).Select(f => f.Path))))
            .WithTrackingName(SymbolsStep);

        IncrementalValueProvider<bool> hasRuntime = context.CompilationProvider
            .Select(static (c, _) => c.GetTypeByMetadataName("Regs.Runtime.IRegisterAccess`1") != null);

        IncrementalValuesProvider<GeneratedFile> outputs = files.Combine(symbols).Combine(hasRuntime)
            .Select(static (input, ct) => Generate(input.Left.Left, input.Left.Right, input.Right))
            .WithTrackingName(EmitStep);

        context.RegisterSourceOutput(outputs, static (spc, file) =>
        {
            foreach (RegsDiagnostic d in file.Diagnostics)
                spc.ReportDiagnostic(ToRoslyn(d));
            if (file.Source == null) return;
            try
            {
                spc.AddSource(file.HintName, SourceText.From(file.Source, Encoding.UTF8));
            }
            catch (ArgumentException)
            {
                spc.ReportDiagnostic(ToRoslyn(Diagnostics.SameOutputName(file.Path, file.HintName)));
            }
        });
    }

    private static GeneratedFile Generate(ParsedFile parsed, SymbolTable symbols, bool hasRuntime)
    {
        string hint = HintName(parsed.Path, parsed.Model?.Namespace);
        if (parsed.Model == null || parsed.Diagnostics.Count > 0)
            return new GeneratedFile(parsed.Path, hint, null, parsed.Diagnostics);
        var (references, dependenciesClean) = RegsLanguage.CheckReferences(parsed.Model, symbols);
        if (references.Count > 0)
            return new GeneratedFile(parsed.Path, hint, null, references);
        // Code naming a type from a file with errors would not compile: emit nothing and let that file's diagnostics speak.
        if (!dependenciesClean)
            return new GeneratedFile(parsed.Path, hint, null, EquatableArray<RegsDiagnostic>.Empty);
        if (!hasRuntime)
            return new GeneratedFile(parsed.Path, hint, null, new[] { Diagnostics.MissingRuntime(parsed.Path) }.ToEquatableArray());
        string source = FileEmitter.Emit(new EmitContext(parsed.Model, symbols));
        return new GeneratedFile(parsed.Path, hint, source, EquatableArray<RegsDiagnostic>.Empty);
    }

    private static string HintName(string path, string? ns)
    {
        string file = Path.GetFileName(path);
        if (file.EndsWith(RegsLanguage.FileSuffix, StringComparison.OrdinalIgnoreCase))
            file = file.Substring(0, file.Length - RegsLanguage.FileSuffix.Length);
        return $"{ns}.{file}.regs.g.cs";
    }

    private static readonly Dictionary<string, DiagnosticDescriptor> Descriptors =
        Diagnostics.All.ToDictionary(d => d.Item1, d => new DiagnosticDescriptor(d.Item1, d.Item2, "{0}", "Regs", DiagnosticSeverity.Error, isEnabledByDefault: true));

    private static Diagnostic ToRoslyn(RegsDiagnostic d)
    {
        var span = new TextSpan(d.Loc.Start, Math.Max(0, d.Loc.End - d.Loc.Start));
        var lines = new LinePositionSpan(new LinePosition(d.Loc.Line, d.Loc.Column), new LinePosition(d.Loc.EndLine, d.Loc.EndColumn));
        return Diagnostic.Create(Descriptors[d.Id], Location.Create(d.Path, span, lines), d.Message);
    }
}

/// <summary>One parsed file: an equatable value.</summary>
internal sealed record ParsedFile(string Path, FileModel? Model, EquatableArray<RegsDiagnostic> Diagnostics);

/// <summary>What one file contributes to the compilation: source (unless it has errors) and diagnostics.</summary>
internal sealed record GeneratedFile(string Path, string HintName, string? Source, EquatableArray<RegsDiagnostic> Diagnostics);
