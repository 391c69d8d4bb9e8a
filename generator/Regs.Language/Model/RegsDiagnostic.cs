namespace Regs.Language.Model;

/// <summary>A problem in a register file, located at its exact span. Carried as a value.</summary>
public sealed record RegsDiagnostic(string Id, string Message, string Path, Loc Loc)
{
    /// <summary>MSBuild style: <c>file(line,col): error ID: message</c>.</summary>
    public override string ToString() => $"{Path}{Loc}: error {Id}: {Message}";
}
