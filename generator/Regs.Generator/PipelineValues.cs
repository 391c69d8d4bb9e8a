using Regs.Generator.Plan;
using Regs.Language.Model;

namespace Regs.Generator;

/// <summary>One parsed file, checked on its own.</summary>
internal sealed record ParsedFile(string Path, FileModel? Model, EquatableArray<RegsDiagnostic> Diagnostics);

/// <summary>One file after the cross-file checks: its plan, or (when it must not generate) none, and its diagnostics.</summary>
internal sealed record ResolvedFile(string Path, string HintName, FilePlan? Plan, EquatableArray<RegsDiagnostic> Diagnostics);

/// <summary>What one file contributes to the compilation: source (unless it has errors) and diagnostics.</summary>
internal sealed record GeneratedFile(string Path, string HintName, string? Source, EquatableArray<RegsDiagnostic> Diagnostics);
