using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Regs.Language;
using Regs.Language.Model;

namespace Regs.Generator;

/// <summary>The language's diagnostics (values, <see cref="Diagnostics"/>) as compiler errors at their file spans.</summary>
internal static class RoslynDiagnostics
{
    private static readonly Dictionary<string, DiagnosticDescriptor> Descriptors =
        Diagnostics.All.ToDictionary(d => d.Id, d => new DiagnosticDescriptor(d.Id, d.Title, "{0}", "Regs", DiagnosticSeverity.Error, isEnabledByDefault: true));

    public static Diagnostic From(RegsDiagnostic d)
    {
        var span = new TextSpan(d.Loc.Start, Math.Max(0, d.Loc.End - d.Loc.Start));
        var lines = new LinePositionSpan(new LinePosition(d.Loc.Line, d.Loc.Column), new LinePosition(d.Loc.EndLine, d.Loc.EndColumn));
        return Diagnostic.Create(Descriptors[d.Id], Location.Create(d.Path, span, lines), d.Message);
    }
}
