using System.IO;
using Regs.Language.Diff;
using Spectre.Console;

namespace Regs.Tool.Reports;

/// <summary>The diff for a terminal: colours through Spectre.Console there, plain text when redirected.</summary>
public static class TextReport
{
    /// <summary>Writes the report to <paramref name="w"/>; <paramref name="console"/> (a terminal) adds colour.</summary>
    public static void Write(DiffReport report, TextWriter w, IAnsiConsole? console)
    {
        void Line(string text, string? style = null)
        {
            if (console == null) w.WriteLine(text);
            else if (style == null) console.MarkupLine(Markup.Escape(text));
            else console.MarkupLine($"[{style}]{Markup.Escape(text)}[/]");
        }

        string summary = $"regs diff {report.OldLabel} -> {report.NewLabel}: {report.Summary}";
        Line(summary, report.Breaking > 0 ? "bold red" : report.Changes.Count > 0 ? "bold yellow" : "bold green");
        foreach (DiffReport.Group g in report.Groups)
        {
            Line("");
            Line($"{g.Title} ({g.Breaking} breaking, {g.Changes.Count - g.Breaking} non-breaking)", "bold");
            foreach (RegsChange c in g.Changes)
            {
                string tag = c.Breaking ? "BREAKING    " : "non-breaking";
                Line($"  {tag}  {c.Subject}: {c.Message}  [{c.Location}]", c.Breaking ? "red" : null);
            }
        }
    }
}
