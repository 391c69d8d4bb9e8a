using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Regs.Language.Diff;

namespace Regs.Tool.Reports;

/// <summary>
/// The diff as JSON: <c>{ old, new, summary: { breaking, nonBreaking }, exitCode, changes: [ { kind, target,
/// breaking, container, block, register, field, old, new, message, location: { path, line, column } } ] }</c>.
/// Lines and columns are 1-based.
/// </summary>
public static class JsonReport
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the report.</summary>
    public static void Write(DiffReport report, TextWriter w)
    {
        using var stream = new MemoryStream();
        using (var j = new Utf8JsonWriter(stream, Options))
        {
            j.WriteStartObject();
            j.WriteString("old", report.OldLabel);
            j.WriteString("new", report.NewLabel);
            j.WriteStartObject("summary");
            j.WriteNumber("breaking", report.Breaking);
            j.WriteNumber("nonBreaking", report.NonBreaking);
            j.WriteEndObject();
            j.WriteNumber("exitCode", report.ExitCode);
            j.WriteStartArray("changes");
            foreach (RegsChange c in report.Changes)
            {
                j.WriteStartObject();
                j.WriteString("kind", DiffReport.KindName(c.Kind));
                j.WriteString("target", DiffReport.TargetName(c.Target));
                j.WriteBoolean("breaking", c.Breaking);
                j.WriteString("container", DiffReport.ContainerNoun(c.Container).ToLowerInvariant());
                j.WriteString("block", c.Block);
                j.WriteString("register", c.Register);
                j.WriteString("field", c.Field);
                j.WriteString("old", c.Old);
                j.WriteString("new", c.New);
                j.WriteString("message", c.Message);
                j.WriteStartObject("location");
                j.WriteString("path", c.Path);
                j.WriteNumber("line", c.Loc.Line + 1);
                j.WriteNumber("column", c.Loc.Column + 1);
                j.WriteEndObject();
                j.WriteEndObject();
            }
            j.WriteEndArray();
            j.WriteEndObject();
        }
        w.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>Writes an error result: <c>{ error, diagnostics: [ ... ], exitCode: 3 }</c>.</summary>
    public static void WriteError(string error, System.Collections.Generic.IEnumerable<Regs.Language.Model.RegsDiagnostic> diagnostics, TextWriter w)
    {
        using var stream = new MemoryStream();
        using (var j = new Utf8JsonWriter(stream, Options))
        {
            j.WriteStartObject();
            j.WriteString("error", error);
            j.WriteNumber("exitCode", ExitCodes.Error);
            j.WriteStartArray("diagnostics");
            foreach (var d in diagnostics)
            {
                j.WriteStartObject();
                j.WriteString("id", d.Id);
                j.WriteString("message", d.Message);
                j.WriteStartObject("location");
                j.WriteString("path", d.Path);
                j.WriteNumber("line", d.Loc.Line + 1);
                j.WriteNumber("column", d.Loc.Column + 1);
                j.WriteEndObject();
                j.WriteEndObject();
            }
            j.WriteEndArray();
            j.WriteEndObject();
        }
        w.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }
}
