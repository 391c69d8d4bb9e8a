namespace Regs.Language.Model;

/// <summary>A span of a source file: 0-based lines and columns, and character offsets.</summary>
public readonly record struct Loc(int Line, int Column, int EndLine, int EndColumn, int Start, int End)
{
    /// <summary>The start of the file.</summary>
    public static Loc None => default;

    /// <summary>"(line,col)" 1-based, as MSBuild prints it.</summary>
    public override string ToString() => $"({Line + 1},{Column + 1})";
}
