using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Regs.Language.Model;

namespace Regs.Docs;

/// <summary>One box of a bit-field picture: bits <c>Lo..Hi</c>.</summary>
/// <remarks><paramref name="Access"/> is null for memory (DMA layouts), where access kinds do not apply.</remarks>
internal sealed record BitBox(string Name, int Lo, int Hi, Access? Access, bool Reserved, string Tooltip);

/// <summary>
/// Draws a register as a row of bit cells numbered from MSB to LSB (64-bit values as two rows of
/// 32), fields as labelled boxes coloured by access kind, reserved bits hatched, the reset value
/// bit by bit underneath and a legend. Plain SVG 1.1 with presentation attributes only, so it
/// renders the same inline in HTML and as an image on GitHub.
/// </summary>
internal static class BitFieldSvg
{
    private const string Font = "ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono','Liberation Mono',monospace";
    private const int Left = 46;
    private const int Right = 10;
    private const int TitleHeight = 24;
    private const int NumberHeight = 14;
    private const int ResetHeight = 16;
    private const int RowGap = 10;
    private const int LegendHeight = 20;
    private const double LabelChar = 0.6; // monospace advance, in ems
    private const string MemoryColour = "#e4ebf5";

    /// <param name="id">Unique in the page: prefixes the ids inside the picture.</param>
    /// <param name="title">First line of the picture, and its accessible name.</param>
    /// <param name="width">Bits drawn.</param>
    /// <param name="boxes">Fields; bits they leave uncovered are drawn as reserved.</param>
    /// <param name="reset">Reset value bit by bit (-1 unknown), or null when nothing is known.</param>
    public static string Render(string id, string title, int width, IReadOnlyList<BitBox> boxes, int[]? reset)
    {
        width = Math.Max(1, Math.Min(width, 64));
        int perRow = Math.Min(width, 32);
        int rows = (width + perRow - 1) / perRow;
        int cell = Math.Max(24, Math.Min(64, 768 / perRow));
        string hatch = "hatch-" + Format.Slug(id);

        List<BitBox> all = Complete(width, boxes);

        // Pieces per row, with the label orientation decided first: vertical labels set the box height.
        var pieces = new List<(int Row, BitBox Box, int Lo, int Hi, double X, double W)>();
        for (int r = 0; r < rows; r++)
        {
            int rowHi = width - 1 - r * perRow, rowLo = Math.Max(0, rowHi - perRow + 1);
            foreach (BitBox b in all)
            {
                int lo = Math.Max(b.Lo, rowLo), hi = Math.Min(b.Hi, rowHi);
                if (lo > hi) continue;
                pieces.Add((r, b, lo, hi, Left + (rowHi - hi) * cell, (hi - lo + 1) * cell));
            }
        }

        int boxHeight = 44;
        foreach (var p in pieces)
        {
            string label = Label(p.Box);
            if (label.Length == 0 || Fits(label, p.W, 11) || Fits(label, p.W, 9)) continue;
            boxHeight = Math.Max(boxHeight, (int)Math.Ceiling(label.Length * 10 * LabelChar) + 22);
        }
        boxHeight = Math.Min(boxHeight, 150);

        bool hasReset = reset != null && reset.Any(v => v >= 0);
        int rowHeight = NumberHeight + boxHeight + (hasReset ? ResetHeight : 0);
        int contentWidth = Left + perRow * cell + Right;

        var used = all.Where(b => !b.Reserved && b.Access != null).Select(b => b.Access!.Value).Distinct().OrderBy(a => a).ToList();
        bool anyReserved = all.Any(b => b.Reserved);
        var legend = used.Select(a => (Colour: Format.Colour(a), Text: a.Keyword() + " " + Format.Meaning(a))).ToList();
        if (all.Any(b => !b.Reserved && b.Access == null)) legend.Insert(0, (MemoryColour, "field (memory shared by DMA)"));
        if (anyReserved) legend.Add(($"url(#{hatch})", "reserved"));

        int svgWidth = Math.Max(contentWidth, (int)Math.Ceiling(title.Length * 12 * LabelChar) + Left);
        // Legend entries wrap to the picture's width.
        var legendPos = new List<(double X, int Line)>();
        double lx = Left; int line = 0;
        foreach (var e in legend)
        {
            double w = 16 + e.Text.Length * 10 * LabelChar + 14;
            if (lx + w > svgWidth - Right && lx > Left) { lx = Left; line++; }
            legendPos.Add((lx, line));
            lx += w;
        }
        int legendLines = legend.Count == 0 ? 0 : line + 1;
        int svgHeight = TitleHeight + rows * rowHeight + (rows - 1) * RowGap + 8 + legendLines * LegendHeight + 4;

        var sb = new StringBuilder(4096);
        sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"regbits\" role=\"img\"")
          .Append(" width=\"").Append(I(svgWidth)).Append("\" height=\"").Append(I(svgHeight))
          .Append("\" viewBox=\"0 0 ").Append(I(svgWidth)).Append(' ').Append(I(svgHeight))
          .Append("\" font-family=\"").Append(Format.Xml(Font)).Append("\" aria-labelledby=\"").Append(Format.Xml(Format.Slug(id) + "-title")).Append("\">\n");
        sb.Append("<title id=\"").Append(Format.Xml(Format.Slug(id) + "-title")).Append("\">").Append(Format.Xml(title)).Append("</title>\n");
        sb.Append("<defs><pattern id=\"").Append(hatch).Append("\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">")
          .Append("<rect width=\"6\" height=\"6\" fill=\"#eeeeee\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#b8b8b8\" stroke-width=\"2\"/></pattern></defs>\n");
        sb.Append("<rect width=\"").Append(I(svgWidth)).Append("\" height=\"").Append(I(svgHeight)).Append("\" fill=\"#ffffff\"/>\n");
        sb.Append("<text x=\"").Append(I(Left)).Append("\" y=\"16\" font-size=\"12\" font-weight=\"bold\" fill=\"#111111\">").Append(Format.Xml(title)).Append("</text>\n");

        for (int r = 0; r < rows; r++)
        {
            int rowHi = width - 1 - r * perRow, rowLo = Math.Max(0, rowHi - perRow + 1);
            double top = TitleHeight + r * (rowHeight + RowGap);
            double boxTop = top + NumberHeight;
            sb.Append("<text x=\"4\" y=\"").Append(D(top + 10)).Append("\" font-size=\"9\" fill=\"#555555\">bit</text>\n");
            for (int bit = rowHi; bit >= rowLo; bit--)
            {
                double cx = Left + (rowHi - bit) * cell + cell / 2.0;
                sb.Append("<text x=\"").Append(D(cx)).Append("\" y=\"").Append(D(top + 10))
                  .Append("\" font-size=\"9\" text-anchor=\"middle\" fill=\"#333333\">").Append(I(bit)).Append("</text>\n");
            }
            foreach (var p in pieces.Where(p => p.Row == r))
                Box(sb, p.Box, p.Lo, p.Hi, p.X, boxTop, p.W, boxHeight, cell, hatch);
            if (hasReset)
            {
                double y = boxTop + boxHeight + 12;
                sb.Append("<text x=\"4\" y=\"").Append(D(y)).Append("\" font-size=\"9\" fill=\"#555555\">reset</text>\n");
                for (int bit = rowHi; bit >= rowLo; bit--)
                {
                    int v = bit < reset!.Length ? reset[bit] : -1;
                    double cx = Left + (rowHi - bit) * cell + cell / 2.0;
                    sb.Append("<text x=\"").Append(D(cx)).Append("\" y=\"").Append(D(y)).Append("\" font-size=\"10\" text-anchor=\"middle\" fill=\"")
                      .Append(v == 1 ? "#000000\" font-weight=\"bold" : "#666666").Append("\">").Append(v < 0 ? "?" : I(v)).Append("</text>\n");
                }
            }
        }

        double legendTop = TitleHeight + rows * rowHeight + (rows - 1) * RowGap + 8;
        for (int i = 0; i < legend.Count; i++)
        {
            double y = legendTop + legendPos[i].Line * LegendHeight;
            double x = legendPos[i].X;
            sb.Append("<rect x=\"").Append(D(x)).Append("\" y=\"").Append(D(y + 2)).Append("\" width=\"11\" height=\"11\" fill=\"").Append(legend[i].Colour)
              .Append("\" stroke=\"#333333\" stroke-width=\"0.8\"/>");
            sb.Append("<text x=\"").Append(D(x + 16)).Append("\" y=\"").Append(D(y + 11)).Append("\" font-size=\"10\" fill=\"#333333\">")
              .Append(Format.Xml(legend[i].Text)).Append("</text>\n");
        }
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static string Label(BitBox b) => b.Name;

    private static bool Fits(string text, double boxWidth, double fontSize) => text.Length * fontSize * LabelChar + 6 <= boxWidth;

    private static void Box(StringBuilder sb, BitBox b, int lo, int hi, double x, double y, double w, int h, int cell, string hatch)
    {
        string fill = b.Reserved ? $"url(#{hatch})" : b.Access is Access a ? Format.Colour(a) : MemoryColour;
        sb.Append("<g><title>").Append(Format.Xml(b.Tooltip)).Append("</title>");
        sb.Append("<rect x=\"").Append(D(x + 0.5)).Append("\" y=\"").Append(D(y + 0.5)).Append("\" width=\"").Append(D(w - 1)).Append("\" height=\"").Append(I(h - 1))
          .Append("\" fill=\"").Append(fill).Append("\" stroke=\"#333333\" stroke-width=\"1\"/>");
        // Ticks between the bits of a multi-bit box.
        for (int i = 1; i <= hi - lo; i++)
        {
            double tx = x + i * cell;
            sb.Append("<line x1=\"").Append(D(tx)).Append("\" y1=\"").Append(D(y + h - 5)).Append("\" x2=\"").Append(D(tx)).Append("\" y2=\"").Append(D(y + h))
              .Append("\" stroke=\"#333333\" stroke-width=\"0.7\"/>");
        }
        string label = Label(b);
        string access = b.Reserved || b.Access == null ? "" : b.Access.Value.Keyword();
        double cx = x + w / 2;
        string weight = b.Reserved ? "\" font-style=\"italic\" fill=\"#555555" : "\" fill=\"#111111";
        if (label.Length > 0)
        {
            if (Fits(label, w, 11) || Fits(label, w, 9))
            {
                int size = Fits(label, w, 11) ? 11 : 9;
                sb.Append("<text x=\"").Append(D(cx)).Append("\" y=\"").Append(D(y + h / 2.0 - (access.Length > 0 ? 1 : -4))).Append("\" font-size=\"").Append(I(size))
                  .Append("\" text-anchor=\"middle").Append(weight).Append("\">").Append(Format.Xml(label)).Append("</text>");
            }
            else
            {
                int room = (int)Math.Floor((h - 20) / (10 * LabelChar));
                string shown = label.Length <= room ? label : label.Substring(0, Math.Max(1, room - 1)) + "\u2026";
                double ty = y + 4;
                sb.Append("<text x=\"").Append(D(cx + 3.5)).Append("\" y=\"").Append(D(ty)).Append("\" font-size=\"10\" text-anchor=\"end\" transform=\"rotate(-90 ")
                  .Append(D(cx + 3.5)).Append(' ').Append(D(ty)).Append(")").Append(weight).Append("\">").Append(Format.Xml(shown)).Append("</text>");
            }
        }
        if (access.Length > 0 && Fits(access, w, 8))
        {
            sb.Append("<text x=\"").Append(D(cx)).Append("\" y=\"").Append(D(y + h - 7)).Append("\" font-size=\"8\" text-anchor=\"middle\" fill=\"#444444\">")
              .Append(Format.Xml(access)).Append("</text>");
        }
        sb.Append("</g>\n");
    }

    /// <summary>The boxes sorted from LSB, with reserved boxes filling the gaps.</summary>
    private static List<BitBox> Complete(int width, IReadOnlyList<BitBox> boxes)
    {
        var sorted = boxes.Where(b => b.Lo <= b.Hi && b.Lo < width)
                          .Select(b => b.Hi >= width ? b with { Hi = width - 1 } : b)
                          .OrderBy(b => b.Lo).ThenBy(b => b.Hi).ToList();
        var all = new List<BitBox>();
        int next = 0;
        foreach (BitBox b in sorted)
        {
            if (b.Lo < next) continue; // overlapping: the language rejects it; draw the first only
            if (b.Lo > next) all.Add(Gap(next, b.Lo - 1));
            all.Add(b);
            next = b.Hi + 1;
        }
        if (next < width) all.Add(Gap(next, width - 1));
        return all;
    }

    private static BitBox Gap(int lo, int hi) => new("", lo, hi, Access.RO, true, $"[{Format.Bits(hi, lo)}] reserved");

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string D(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);
}
