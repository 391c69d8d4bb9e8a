using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Regs.Generator.Emit;
using Regs.Generator.Resolve;
using Regs.Language;
using Regs.Language.Model;
using Regs.Language.Validation;

namespace Regs.Generator;

/// <summary>
/// Turns every AdditionalFiles item ending in .regs.yaml into C# accessors. Steps, each cached
/// on equatable values: Parse (per file: YAML to model, checked on its own) -> Symbols (what all
/// files export; equal unless a name or width changes) -> Resolve (per file: check references,
/// then decide every name and size into a <see cref="Plan.FilePlan"/>) -> Emit (per file: the
/// plan to source text). An unrelated edit leaves every step cached, and a file whose plan did
/// not change is not emitted again.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class RegsGenerator : IIncrementalGenerator
{
    public const string ParseStep = "Parse";
    public const string SymbolsStep = "Symbols";
    public const string ResolveStep = "Resolve";
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
            .Select(static (c, _) => c.GetTypeByMetadataName(RuntimeSymbols.RegisterAccess.MetadataName) != null);

        IncrementalValuesProvider<ResolvedFile> resolved = files.Combine(symbols).Combine(hasRuntime)
            .Select(static (input, _) => Resolve(input.Left.Left, input.Left.Right, input.Right))
            .WithTrackingName(ResolveStep);

        IncrementalValuesProvider<GeneratedFile> outputs = resolved
            .Select(static (file, _) => new GeneratedFile(file.Path, file.HintName, file.Plan == null ? null : FileEmitter.Emit(file.Plan), file.Diagnostics))
            .WithTrackingName(EmitStep);

        context.RegisterSourceOutput(outputs, static (spc, file) =>
        {
            foreach (RegsDiagnostic d in file.Diagnostics)
                spc.ReportDiagnostic(RoslynDiagnostics.From(d));
            if (file.Source == null) return;
            try
            {
                spc.AddSource(file.HintName, SourceText.From(file.Source, Encoding.UTF8));
            }
            catch (ArgumentException)
            {
                spc.ReportDiagnostic(RoslynDiagnostics.From(Diagnostics.SameOutputName(file.Path, file.HintName)));
            }
        });
    }

    private static ResolvedFile Resolve(ParsedFile parsed, SymbolTable symbols, bool hasRuntime)
    {
        string hint = HintName(parsed.Path, parsed.Model?.Namespace);
        if (parsed.Model == null || parsed.Diagnostics.Count > 0)
            return new ResolvedFile(parsed.Path, hint, null, parsed.Diagnostics);
        var (references, dependenciesClean) = RegsLanguage.CheckReferences(parsed.Model, symbols);
        if (references.Count > 0)
            return new ResolvedFile(parsed.Path, hint, null, references);
        // Code naming a type from a file with errors would not compile: emit nothing and let that file's diagnostics speak.
        if (!dependenciesClean)
            return new ResolvedFile(parsed.Path, hint, null, EquatableArray<RegsDiagnostic>.Empty);
        if (!hasRuntime)
            return new ResolvedFile(parsed.Path, hint, null, new[] { Diagnostics.MissingRuntime(parsed.Path) }.ToEquatableArray());
        return new ResolvedFile(parsed.Path, hint, FileResolver.Resolve(parsed.Model, symbols), EquatableArray<RegsDiagnostic>.Empty);
    }

    private static string HintName(string path, string? ns)
    {
        string file = Path.GetFileName(path);
        if (file.EndsWith(RegsLanguage.FileSuffix, StringComparison.OrdinalIgnoreCase))
            file = file.Substring(0, file.Length - RegsLanguage.FileSuffix.Length);
        return $"{ns}.{file}.regs.g.cs";
    }
}
