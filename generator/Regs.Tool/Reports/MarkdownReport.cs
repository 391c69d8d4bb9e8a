using System.IO;
using System.Linq;
using Regs.Language.Diff;

namespace Regs.Tool.Reports;

/// <summary>The diff as GitHub Markdown, for a pull-request comment.</summary>
public static class MarkdownReport
{
    /// <summary>Marks the comment so that a workflow finds and updates it instead of adding another.</summary>
    public const string Marker = "<!-- regs-diff -->";

    /// <summary>Writes the report: the summary line, then one table per block, breaking changes first.</summary>
    public static void Write(DiffReport report, TextWriter w)
    {
        w.WriteLine(Marker);
        string icon = report.Breaking > 0 ? ":boom: " : report.Changes.Count > 0 ? ":memo: " : ":white_check_mark: ";
        w.WriteLine($"## {icon}Register map diff: {report.Summary}");
        w.WriteLine();
        w.WriteLine($"`{Code(report.OldLabel)}` → `{Code(report.NewLabel)}`");
        foreach (DiffReport.Group g in report.Groups)
        {
            w.WriteLine();
            int nb = g.Changes.Count - g.Breaking;
            w.WriteLine($"### {DiffReport.ContainerNoun(g.Container)} `{Code(g.Name)}` ({g.Breaking} breaking, {nb} non-breaking)");
            w.WriteLine();
            w.WriteLine("| | Item | Change | Old | New | Location |");
            w.WriteLine("|---|---|---|---|---|---|");
            foreach (RegsChange c in g.Changes)
            {
                string mark = c.Breaking ? "**breaking**" : "non-breaking";
                w.WriteLine($"| {mark} | `{Code(c.Subject)}` | {Cell(c.Message)} | {Value(c.Old)} | {Value(c.New)} | `{Code(c.Location)}` |");
            }
        }
        if (report.Breaking > 0)
        {
            w.WriteLine();
            w.WriteLine("Breaking: code written against the generated accessors may stop compiling or touch different bits.");
        }
    }

    /// <summary>Writes invalid-input diagnostics as a Markdown section (the comment still says what went wrong).</summary>
    public static void WriteErrors(string title, System.Collections.Generic.IEnumerable<string> lines, TextWriter w)
    {
        w.WriteLine(Marker);
        w.WriteLine($"## :x: Register map diff failed: {Cell(title)}");
        w.WriteLine();
        w.WriteLine("```");
        foreach (string line in lines) w.WriteLine(line.Replace("```", "'''"));
        w.WriteLine("```");
    }

    private const int MaxValue = 80;

    private static string Value(string? v)
    {
        if (v == null) return "";
        string s = Flat(v);
        if (s.Length > MaxValue) s = s.Substring(0, MaxValue - 1) + "…";
        return $"`{Code(s)}`";
    }

    private static string Flat(string s) => string.Join(" ", s.Split((char[]?)null, System.StringSplitOptions.RemoveEmptyEntries));
    private static string Cell(string s) => Flat(s).Replace("|", "\\|").Replace("<", "&lt;");
    private static string Code(string s) => Flat(s).Replace("`", "'").Replace("|", "\\|");
}
