using System.Text;

namespace Regs.Generator.Emit;

/// <summary>A small indented text writer: all the templating the emitters need.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public CodeWriter Line(string text = "")
    {
        if (text.Length > 0) _sb.Append(' ', _indent * 4).Append(text);
        _sb.Append('\n');
        return this;
    }

    public void Open(string header)
    {
        Line(header);
        Line("{");
        _indent++;
    }

    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    /// <summary>XML doc summary, when there is anything to say.</summary>
    public void Doc(string? text)
    {
        if (!string.IsNullOrEmpty(text)) Line("/// <summary>" + Escape(text!) + "</summary>");
    }

    private static string Escape(string text)
        => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\r", "").Replace("\n", " ");

    public override string ToString() => _sb.ToString();
}
