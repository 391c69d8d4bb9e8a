using Regs.Language.Model;

namespace Regs.Language.Yaml;

/// <summary>Checks on the raw text, before any YAML is read, and text positions for them.</summary>
internal static class TextChecks
{
    /// <summary>
    /// U+FFFD is what a lenient UTF-8 decoder (File.ReadAllText, StreamReader) puts where a byte
    /// sequence was invalid; a register file never means it. Null if there is none.
    /// </summary>
    public static RegsDiagnostic? InvalidUtf8(string path, string text)
    {
        int at = text.IndexOf('\uFFFD');
        return at < 0 ? null : Diagnostics.YamlSyntax(path, At(text, at, 1),
            "the file is not valid UTF-8 here (a byte sequence decoded as U+FFFD); save it as UTF-8");
    }

    /// <summary>The location of <paramref name="length"/> characters at <paramref name="index"/>, counting line breaks as YAML does.</summary>
    public static Loc At(string text, int index, int length)
    {
        int line = 0, lineStart = 0;
        for (int i = 0; i < index; i++)
        {
            char c = text[i];
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') continue; // counted at the '\n'
            if (c is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029') { line++; lineStart = i + 1; }
        }
        return new Loc(line, index - lineStart, line, index - lineStart + length, index, index + length);
    }
}
