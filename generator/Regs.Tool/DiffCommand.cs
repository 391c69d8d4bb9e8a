using System.Collections.Generic;
using System.CommandLine;
using System.Linq;
using Regs.Language;
using Regs.Language.Diff;
using Regs.Language.Model;
using Regs.Tool.Reports;

namespace Regs.Tool;

/// <summary><c>regs diff OLD [NEW]</c>: the semantic diff of two register maps, classified as breaking or not.</summary>
internal static class DiffCommand
{
    public static Command Create(ToolContext context)
    {
        var old = new Argument<string>("OLD") { Description = "The old register map: a file, a folder or a git revision (an existing path wins)" };
        var @new = new Argument<string?>("NEW")
        {
            Arity = ArgumentArity.ZeroOrOne,
            Description = "The new register map: a file, a folder or a git revision; default: the working tree",
        };
        var path = new Option<string?>("--path")
        {
            Description = "For revisions and the working tree: only files under this repository-relative folder (e.g. defs/)",
        };
        var format = new Option<string>("--format", "-f")
        {
            Description = "Output: text (terminal; plain when redirected), markdown (pull-request comment) or json",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "markdown", "json");
        var command = new Command("diff",
            "Compares two register maps semantically: blocks, registers, fields, layouts, enums and flags, each change "
            + "classified as breaking or not for code that uses the generated API. Exit 0: no change; 1: non-breaking "
            + "changes only; 2: breaking changes; 3: invalid register files, unknown revision or git failure.")
        {
            old, @new, path, format,
        };
        command.SetAction(parse => context.Guard(() =>
            Run(context, parse.GetValue(old)!, parse.GetValue(@new), RegisterMap.NormalizePrefix(parse.GetValue(path)), parse.GetValue(format) ?? "text")));
        return command;
    }

    private static int Run(ToolContext context, string oldArg, string? newArg, string? prefix, string format)
    {
        RegisterMap oldMap = RegisterMap.Resolve(oldArg, context.WorkingDirectory, prefix);
        RegisterMap newMap = newArg != null
            ? RegisterMap.Resolve(newArg, context.WorkingDirectory, prefix)
            : RegisterMap.WorkingTree(context.WorkingDirectory, prefix);
        if (oldMap.Files.Count == 0 && newMap.Files.Count == 0)
            throw new ToolException($"no *{RegsLanguage.FileSuffix} files in {oldMap.Label} nor in {newMap.Label}" + (prefix != null ? $" under {prefix}/" : ""));

        var (oldModels, oldDiagnostics) = RegsLanguage.Check(oldMap.Files);
        var (newModels, newDiagnostics) = RegsLanguage.Check(newMap.Files);
        if (oldDiagnostics.Count > 0 || newDiagnostics.Count > 0)
            return Invalid(context, format, (oldMap, oldDiagnostics), (newMap, newDiagnostics));

        var report = new DiffReport(oldMap.Label, newMap.Label, RegsComparer.Compare(oldModels, newModels));
        switch (format)
        {
            case "markdown": MarkdownReport.Write(report, context.Out); break;
            case "json": JsonReport.Write(report, context.Out); break;
            default: TextReport.Write(report, context.Out, context.Console); break;
        }
        return report.ExitCode;
    }

    /// <summary>Invalid input on either side: every diagnostic on stderr (and in the Markdown or JSON output), exit 3.</summary>
    private static int Invalid(ToolContext context, string format, params (RegisterMap Map, List<RegsDiagnostic> Diagnostics)[] sides)
    {
        var lines = new List<string>();
        var all = new List<RegsDiagnostic>();
        foreach (var (map, diagnostics) in sides)
        {
            if (diagnostics.Count == 0) continue;
            lines.Add($"{map.Label}: {diagnostics.Count} error(s)");
            lines.AddRange(CheckCommand.Sorted(diagnostics).Select(d => d.ToString()));
            all.AddRange(diagnostics);
        }
        foreach (string line in lines) context.Error.WriteLine(line);
        string title = "invalid register files";
        context.Error.WriteLine($"regs diff: {title}; no comparison made");
        if (format == "markdown") MarkdownReport.WriteErrors(title, lines, context.Out);
        else if (format == "json") JsonReport.WriteError(title, all, context.Out);
        return ExitCodes.Error;
    }
}
