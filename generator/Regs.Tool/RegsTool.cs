using System;
using System.CommandLine;
using System.CommandLine.Invocation;
using System.IO;
using Spectre.Console;

namespace Regs.Tool;

/// <summary>The command tree and its entry point; tests call <see cref="Run"/> in-process.</summary>
public static class RegsTool
{
    /// <summary>
    /// Runs <c>regs</c> with <paramref name="args"/>, writing to <paramref name="stdout"/> and <paramref name="stderr"/>,
    /// resolving relative paths and git revisions in <paramref name="workingDirectory"/>. <paramref name="interactive"/>
    /// (stdout is a terminal) allows colour. Returns the exit code (see <see cref="ExitCodes"/>).
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, string workingDirectory, bool interactive = false)
    {
        var context = new ToolContext(stdout, stderr, Path.GetFullPath(workingDirectory), interactive);
        RootCommand root = new("Checks, diffs and documents *.regs.yaml register maps.\n\n" + ExitCodes.Help)
        {
            CheckCommand.Create(context),
            DiffCommand.Create(context),
            DocCommand.Create(context),
        };
        ParseResult parse = root.Parse(args);
        int code = parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        // System.CommandLine reports usage errors with 1, which means "changes" here.
        return parse.Action is ParseErrorAction ? ExitCodes.Error : code;
    }
}

/// <summary>Where a command writes and resolves paths.</summary>
internal sealed record ToolContext(TextWriter Out, TextWriter Error, string WorkingDirectory, bool Interactive)
{
    /// <summary>A Spectre console over <see cref="Out"/> when it is a terminal, else null (plain text).</summary>
    public IAnsiConsole? Console => Interactive
        ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Out), Ansi = AnsiSupport.Detect, ColorSystem = ColorSystemSupport.Detect })
        : null;

    /// <summary>Runs a command body, turning expected failures into one error line and exit code 3.</summary>
    public int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is ToolException or IOException or UnauthorizedAccessException)
        {
            Error.WriteLine($"regs: error: {e.Message}");
            return ExitCodes.Error;
        }
    }
}
