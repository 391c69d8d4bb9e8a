using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Regs.Language.Model;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Docs.Tests;

/// <summary>The HTML as a real browser sees it: Debian's chromium, headless.</summary>
[Trait("Category", "Tool")]
public class BrowserTests : IClassFixture<GeneratedDocs>
{
    private readonly GeneratedDocs _docs;
    private readonly ITestOutputHelper _out;

    public BrowserTests(GeneratedDocs docs, ITestOutputHelper output) { _docs = docs; _out = output; }

    private static string Url(string path) => new Uri(path).AbsoluteUri;

    [Fact]
    public void Index_renders_its_tables_and_links_in_the_browser()
    {
        var o = _docs.Shipped;
        var r = Chromium.Run(Url(Path.Combine(o.Dir, "index.html")), "--dump-dom");
        _out.WriteLine($"chromium --dump-dom index.html: {r.Elapsed.TotalMilliseconds:F0} ms, {r.Stdout.Length} chars");
        string dom = r.Stdout;
        Assert.Contains("<table class=\"files\">", dom);
        Assert.Contains("<table class=\"registers\">", dom);
        foreach (var (f, b, g, reg, anchor) in o.Registers())
            Assert.Contains($"href=\"{GeneratedDocs.Output.Stem(f)}.html#{anchor}\"", dom);
    }

    [Fact]
    public void Every_page_renders_register_tables_and_one_svg_per_register()
    {
        var o = _docs.Shipped;
        foreach (FileModel f in o.Models)
        {
            string stem = GeneratedDocs.Output.Stem(f);
            var r = Chromium.Run(Url(Path.Combine(o.Dir, stem + ".html")), "--dump-dom");
            _out.WriteLine($"chromium --dump-dom {stem}.html: {r.Elapsed.TotalMilliseconds:F0} ms, {r.Stdout.Length} chars");
            string dom = r.Stdout;
            Assert.Contains("</html>", dom);
            int registers = f.Blocks.Sum(b => b.Registers.Count + b.Groups.Sum(g => g.Registers.Count));
            int pictures = Directory.Exists(Path.Combine(o.Dir, "svg", stem)) ? Directory.GetFiles(Path.Combine(o.Dir, "svg", stem)).Length : 0;
            Assert.Equal(pictures, Regex.Matches(dom, "<svg ").Count);
            Assert.True(pictures >= registers);
            if (registers > 0)
            {
                Assert.Equal(f.Blocks.Count + f.Blocks.Sum(b => b.Groups.Count), Regex.Matches(dom, "<table class=\"registers\">").Count);
                foreach (var (ff, b, g, reg, anchor) in o.Registers().Where(x => x.File == f))
                    Assert.Contains($"id=\"{anchor}\"", dom);
            }
            // The browser parsed the inline SVG as SVG, not as unknown HTML: its title stayed inside.
            Assert.DoesNotContain("<parsererror", dom);
        }
    }

    [Fact]
    public void A_screenshot_shows_the_coloured_bit_field_pictures()
    {
        var o = _docs.Fixture;
        string shots = TestPaths.TempDir("shots");
        string blankHtml = Path.Combine(shots, "blank.html");
        File.WriteAllText(blankHtml, "<!DOCTYPE html><html><body></body></html>");
        string blankPng = Path.Combine(shots, "blank.png"), pagePng = Path.Combine(shots, "widget.png");
        var blank = Chromium.Run(Url(blankHtml), "--window-size=1200,3200", "--screenshot=" + blankPng);
        var page = Chromium.Run(Url(Path.Combine(o.Dir, "widget.html")), "--window-size=1200,3200", "--virtual-time-budget=2000", "--screenshot=" + pagePng);
        _out.WriteLine($"chromium --screenshot blank page: {blank.Elapsed.TotalMilliseconds:F0} ms; widget.html: {page.Elapsed.TotalMilliseconds:F0} ms");

        long blankSize = new FileInfo(blankPng).Length, pageSize = new FileInfo(pagePng).Length;
        _out.WriteLine($"PNG sizes: blank {blankSize} bytes, page {pageSize} bytes");
        Assert.True(pageSize > 30_000, $"screenshot only {pageSize} bytes");
        Assert.True(pageSize > 5 * blankSize);

        Png shot = Png.Load(pagePng);
        Png empty = Png.Load(blankPng);
        Assert.Equal(1200, shot.Width);
        Assert.Equal(0, NonWhite(empty));
        double inked = NonWhite(shot) / (double)(shot.Width * shot.Height);
        _out.WriteLine($"non-white pixels: {inked:P1}");
        Assert.True(inked > 0.05, $"only {inked:P1} of the page is drawn");

        // The access-kind colours of the pictures are on screen: rw green, ro blue, w1c pink, and the dark nav bar (the pictures start about 2000 px down).
        foreach (string colour in new[] { "#d3efd9", "#cfe2ff", "#f8d0d5", "#ffe0b3", "#fff0b3", "#22313f" })
            Assert.True(Count(shot, colour) > 50, $"colour {colour} not on screen");
    }

    [Fact]
    public void Chromium_renders_a_standalone_svg_file()
    {
        var o = _docs.Shipped;
        string svg = Path.Combine(o.Dir, "svg", "igb", "Igb.CTRL.svg");
        string png = Path.Combine(TestPaths.TempDir("svgshot"), "ctrl.png");
        var r = Chromium.Run(Url(svg), "--window-size=900,300", "--screenshot=" + png);
        _out.WriteLine($"chromium --screenshot Igb.CTRL.svg: {r.Elapsed.TotalMilliseconds:F0} ms");
        Png shot = Png.Load(png);
        Assert.True(Count(shot, "#d3efd9") > 1000, "rw fields not drawn");
        Assert.True(NonWhite(shot) > 10_000);
    }

    private static int NonWhite(Png p)
    {
        int n = 0;
        for (int y = 0; y < p.Height; y++)
            for (int x = 0; x < p.Width; x++)
            {
                var (r, g, b) = p[x, y];
                if (r < 245 || g < 245 || b < 245) n++;
            }
        return n;
    }

    private static int Count(Png p, string hex)
    {
        int cr = int.Parse(hex.AsSpan(1, 2), NumberStyles.HexNumber), cg = int.Parse(hex.AsSpan(3, 2), NumberStyles.HexNumber), cb = int.Parse(hex.AsSpan(5, 2), NumberStyles.HexNumber);
        int n = 0;
        for (int y = 0; y < p.Height; y++)
            for (int x = 0; x < p.Width; x++)
            {
                var (r, g, b) = p[x, y];
                if (Math.Abs(r - cr) <= 4 && Math.Abs(g - cg) <= 4 && Math.Abs(b - cb) <= 4) n++;
            }
        return n;
    }
}
