namespace Regs.Tool;

/// <summary>The tool's exit codes; also in <c>regs --help</c> and README.md.</summary>
public static class ExitCodes
{
    /// <summary>Success: check found no error; diff found no change; doc wrote its files.</summary>
    public const int Ok = 0;

    /// <summary>check: the files have errors. diff: changes, none of them breaking.</summary>
    public const int Changes = 1;

    /// <summary>diff: at least one change breaks code that uses the generated API.</summary>
    public const int Breaking = 2;

    /// <summary>Invalid input (a register file with errors for diff and doc), bad usage, unreadable paths, git failure.</summary>
    public const int Error = 3;

    /// <summary>The exit codes as printed by <c>regs --help</c>.</summary>
    public const string Help =
        "Exit codes:\n" +
        "  0  success: check found no error, diff found no change, doc wrote its files\n" +
        "  1  check: errors in the register files; diff: non-breaking changes only\n" +
        "  2  diff: breaking changes (code using the generated API may break)\n" +
        "  3  error: bad usage, missing path, unknown revision, git failure, or (diff, doc) invalid register files";
}
