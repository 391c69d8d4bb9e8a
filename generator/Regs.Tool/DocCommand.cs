using System.Collections.Generic;
using System.CommandLine;
using Regs.Language;
using Regs.Language.Model;

namespace Regs.Tool;

/// <summary><c>regs doc PATH... -o DIR</c>: Markdown/HTML documentation of register files (Regs.Docs).</summary>
internal static class DocCommand
{
    public static Command Create(ToolContext context)
    {
        var paths = new Argument<string[]>("PATH")
        {
            Arity = ArgumentArity.OneOrMore,
            Description = "*.regs.yaml files, or folders searched recursively for them",
        };
        var output = new Option<string>("--output", "-o") { Description = "Folder to write the documentation into", Required = true };
        var command = new Command("doc",
            "Checks register files, then writes their documentation into a folder. Exit 0: written; 3: invalid register files or bad path.")
        {
            paths,
            output,
        };
        command.SetAction(parse => context.Guard(() => Run(context, parse.GetValue(paths) ?? System.Array.Empty<string>(), parse.GetValue(output)!)));
        return command;
    }

    private static int Run(ToolContext context, string[] paths, string output)
    {
        var files = CheckCommand.Load(context, paths);
        var (models, diagnostics) = RegsLanguage.Check(files);
        if (diagnostics.Count > 0)
        {
            foreach (RegsDiagnostic d in CheckCommand.Sorted(diagnostics)) context.Error.WriteLine(d.ToString());
            context.Error.WriteLine($"regs doc: {diagnostics.Count} error(s); no documentation written");
            return ExitCodes.Error;
        }
        string dir = System.IO.Path.GetFullPath(output, context.WorkingDirectory);
        IReadOnlyList<string> written = Regs.Docs.DocGenerator.Generate(models, dir);
        foreach (string f in written) context.Out.WriteLine(f);
        context.Out.WriteLine($"regs doc: wrote {written.Count} file(s) to {output}");
        return ExitCodes.Ok;
    }
}
