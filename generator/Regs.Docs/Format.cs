using System;
using System.Globalization;
using System.Text;
using Regs.Language.Model;

namespace Regs.Docs;

/// <summary>Number formatting and escaping shared by the renderers.</summary>
internal static class Format
{
    /// <summary><c>0x0C000241</c>: hex padded to the digits <paramref name="bits"/> needs.</summary>
    public static string Hex(ulong value, int bits)
    {
        int digits = Math.Max(1, (Math.Max(bits, 1) + 3) / 4);
        return "0x" + value.ToString("X" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    /// <summary>Plain hex with no padding: <c>0x1F</c>.</summary>
    public static string Hex(ulong value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture);

    /// <summary>Decimal, culture-invariant.</summary>
    public static string Dec(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Decimal, culture-invariant.</summary>
    public static string Dec(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Hex digits needed for offsets up to <paramref name="max"/>, at least 2 and even.</summary>
    public static int OffsetBits(ulong max)
    {
        int digits = 2;
        while (digits < 16 && (max >> (digits * 4)) != 0) digits += 2;
        return digits * 4;
    }

    /// <summary>"9:8" or "6".</summary>
    public static string Bits(int hi, int lo) => hi == lo ? Dec(lo) : Dec(hi) + ":" + Dec(lo);

    /// <summary>Mask of the low <paramref name="width"/> bits.</summary>
    public static ulong Mask(int width) => width >= 64 ? ulong.MaxValue : (1UL << width) - 1;

    /// <summary>A spec reference: the file's document and the item's section: "82576 datasheet §8.2.1".</summary>
    public static string? Spec(string? document, string? section)
    {
        if (string.IsNullOrWhiteSpace(section)) return null;
        string s = section!.Trim();
        string sec = s.Length > 0 && char.IsDigit(s[0]) ? "§" + s : s;
        return string.IsNullOrWhiteSpace(document) ? sec : document!.Trim() + " " + sec;
    }

    /// <summary>Whitespace (including newlines of block scalars) collapsed to single spaces.</summary>
    public static string OneLine(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text!.Length);
        bool space = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c)) { space = sb.Length > 0; continue; }
            if (space) { sb.Append(' '); space = false; }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Every run of whitespace as one space, leading and trailing ones kept (as one space).</summary>
    public static string Collapse(string text)
    {
        var sb = new StringBuilder(text.Length);
        bool space = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c)) { if (!space) sb.Append(' '); space = true; continue; }
            space = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Text for XML/HTML content and attribute values (both quote kinds escaped).</summary>
    public static string Xml(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default:
                    // Characters XML 1.0 forbids (C0 controls other than tab/newline, lone surrogates
                    // are kept as-is by .NET strings read from YAML; drop the controls).
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') sb.Append(' ');
                    else if (c == '\uFFFE' || c == '\uFFFF') sb.Append(' ');
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Text for Markdown running text and table cells: punctuation that means something is backslash-escaped, HTML-special characters become entities.</summary>
    public static string Markdown(string text)
    {
        string one = Collapse(text);
        var sb = new StringBuilder(one.Length + 16);
        for (int i = 0; i < one.Length; i++)
        {
            char c = one[i];
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '\\': case '`': case '*': case '_': case '[': case ']': case '|': case '~': case '$':
                    sb.Append('\\').Append(c); break;
                case '#': case '+': case '-': case '!': case '=':
                    if (i == 0) sb.Append('\\');
                    sb.Append(c);
                    break;
                default:
                    // "1." at the start of a line would begin an ordered list.
                    if (i == 0 && char.IsDigit(c))
                    {
                        int j = i;
                        while (j < one.Length && char.IsDigit(one[j])) j++;
                        if (j < one.Length && (one[j] == '.' || one[j] == ')'))
                        {
                            sb.Append(one, i, j - i).Append('\\');
                            i = j - 1;
                            break;
                        }
                    }
                    sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A Markdown code span that survives backticks and pipes in its text.</summary>
    public static string MarkdownCode(string text)
    {
        string one = OneLine(text);
        if (one.IndexOf('`') < 0 && one.IndexOf('|') < 0 && one.IndexOf('<') < 0 && one.IndexOf('&') < 0)
            return "`" + one + "`";
        // Fall back to HTML code for awkward text: entities work there, pipes too.
        return "<code>" + Xml(one).Replace("|", "&#124;") + "</code>";
    }

    /// <summary>An id or file name piece: letters, digits, '_', '.', '-' only.</summary>
    public static string Slug(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
            sb.Append(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '.' or '-' ? c : '_');
        return sb.Length == 0 ? "_" : sb.ToString();
    }

    /// <summary>What an access kind means, in a few words.</summary>
    public static string Meaning(Access a) => a switch
    {
        Access.RO => "read-only",
        Access.WO => "write-only",
        Access.RW => "read-write",
        Access.W1C => "write 1 to clear",
        Access.W1S => "write 1 to set",
        Access.RC => "a read clears it",
        _ => "a read clears it; writing 1 clears too",
    };

    /// <summary>Fill colour of an access kind, shared by the SVG pictures and the HTML badges.</summary>
    public static string Colour(Access a) => a switch
    {
        Access.RO => "#cfe2ff",
        Access.WO => "#ffe0b3",
        Access.RW => "#d3efd9",
        Access.W1C => "#f8d0d5",
        Access.W1S => "#e3d8f5",
        Access.RC => "#fff0b3",
        _ => "#ffc9e6",
    };

    /// <summary>CSS class of an access kind.</summary>
    public static string CssClass(Access a) => "acc-" + a.ToString().ToLowerInvariant();
}
