using System.Collections.Generic;
using System.CommandLine;
using System.Linq;
using Regs.Language;
using Regs.Language.Model;
using Spectre.Console;

namespace Regs.Tool;

/// <summary><c>regs check PATH...</c>: the generator's parse and validation, from the command line.</summary>
internal static class CheckCommand
{
    public static Command Create(ToolContext context)
    {
        var paths = new Argument<string[]>("PATH")
        {
            Arity = ArgumentArity.OneOrMore,
            Description = "*.regs.yaml files, or folders searched recursively for them",
        };
        var command = new Command("check",
            "Parses and validates register files exactly as the generator does; prints every diagnostic as "
            + "file(line,col): error REGSnnn: message. Exit 0: no error; 1: errors; 3: a path does not exist.")
        {
            paths,
        };
        command.SetAction(parse => context.Guard(() => Run(context, parse.GetValue(paths) ?? System.Array.Empty<string>())));
        return command;
    }

    private static int Run(ToolContext context, string[] paths)
    {
        var files = Load(context, paths);
        var (_, diagnostics) = RegsLanguage.Check(files);
        foreach (RegsDiagnostic d in Sorted(diagnostics)) context.Out.WriteLine(d.ToString());
        int bad = diagnostics.Select(d => d.Path).Distinct().Count();
        string summary = diagnostics.Count == 0
            ? $"regs check: {Plural(files.Count, "file")}, no errors"
            : $"regs check: {Plural(diagnostics.Count, "error")} in {bad} of {Plural(files.Count, "file")}";
        if (context.Console is { } console)
            console.MarkupLine($"[{(diagnostics.Count == 0 ? "green" : "bold red")}]{Markup.Escape(summary)}[/]");
        else
            context.Out.WriteLine(summary);
        return diagnostics.Count == 0 ? ExitCodes.Ok : ExitCodes.Changes;
    }

    /// <summary>Reads every register file under <paramref name="paths"/>; a missing path or no file at all is an error.</summary>
    public static List<(string Path, string Text)> Load(ToolContext context, IEnumerable<string> paths)
    {
        var found = new List<(string Display, string Full)>();
        foreach (string p in paths)
            found.AddRange(RegsFiles.Find(p, context.WorkingDirectory) ?? throw new ToolException($"path not found: {p}"));
        var unique = found.GroupBy(f => f.Full).Select(g => g.First()).ToList();
        if (unique.Count == 0) throw new ToolException($"no *{RegsLanguage.FileSuffix} files in {string.Join(", ", paths)}");
        return RegsFiles.Read(unique);
    }

    /// <summary>Diagnostics in file, then position order.</summary>
    public static IEnumerable<RegsDiagnostic> Sorted(IEnumerable<RegsDiagnostic> diagnostics)
        => diagnostics.OrderBy(d => d.Path, System.StringComparer.Ordinal).ThenBy(d => d.Loc.Start).ThenBy(d => d.Id, System.StringComparer.Ordinal);

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
