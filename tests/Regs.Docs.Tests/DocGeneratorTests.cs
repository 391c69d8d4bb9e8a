using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Regs.Language.Model;
using Xunit;

namespace Regs.Docs.Tests;

[Trait("Category", "Tool")]
public class DocGeneratorTests : IClassFixture<GeneratedDocs>
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly XNamespace Xhtml = "http://www.w3.org/1999/xhtml";
    private readonly GeneratedDocs _docs;

    public DocGeneratorTests(GeneratedDocs docs) { _docs = docs; }

    public static IEnumerable<object[]> Both() => new[] { new object[] { "shipped" }, new object[] { "fixture" } };

    private GeneratedDocs.Output Get(string which) => which == "shipped" ? _docs.Shipped : _docs.Fixture;

    [Theory, MemberData(nameof(Both))]
    public void Writes_an_index_and_a_markdown_and_html_page_per_file(string which)
    {
        var o = Get(which);
        Assert.Equal(Path.Combine(o.Dir, "index.md"), o.Written[0]);
        Assert.Equal(Path.Combine(o.Dir, "index.html"), o.Written[1]);
        Assert.Equal(o.Written.Count, o.Written.Distinct().Count());
        foreach (string p in o.Written)
        {
            Assert.True(File.Exists(p), p);
            Assert.True(new FileInfo(p).Length > 100, p);
        }
        foreach (FileModel f in o.Models)
        {
            Assert.Contains(Path.Combine(o.Dir, GeneratedDocs.Output.Stem(f) + ".md"), o.Written);
            Assert.Contains(Path.Combine(o.Dir, GeneratedDocs.Output.Stem(f) + ".html"), o.Written);
        }
        // Nothing but what the generator reports.
        var onDisk = Directory.EnumerateFiles(o.Dir, "*", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal);
        Assert.Equal(onDisk, o.Written.OrderBy(p => p, StringComparer.Ordinal));
    }

    [Fact]
    public void Shipped_defs_produce_the_expected_pages()
    {
        var names = _docs.Shipped.Written.Where(p => !p.Contains(Path.DirectorySeparatorChar + "svg" + Path.DirectorySeparatorChar))
            .Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToList();
        foreach (string stem in new[] { "index", "igb", "igb-phy", "igb-descriptors", "pci", "uart16550", "virtio-features", "virtio-mmio", "virtio-net", "virtio-pci", "virtio-ring" })
        {
            Assert.Contains(stem + ".md", names);
            Assert.Contains(stem + ".html", names);
        }
    }

    [Theory, MemberData(nameof(Both))]
    public void Every_register_has_an_svg_that_both_pages_show(string which)
    {
        var o = Get(which);
        int count = 0;
        foreach (var (f, b, g, r, anchor) in o.Registers())
        {
            string stem = GeneratedDocs.Output.Stem(f);
            string rel = $"svg/{stem}/{anchor}.svg";
            Assert.True(File.Exists(Path.Combine(o.Dir, rel)), rel);
            Assert.Contains($"]({rel})", o.Md(f));
            Assert.Contains($"<a id=\"{anchor}\"></a>", o.Md(f));
            string html = o.Html(f);
            int at = html.IndexOf($" id=\"{anchor}\"", StringComparison.Ordinal);
            Assert.True(at > 0, anchor);
            int svg = html.IndexOf("<svg", at, StringComparison.Ordinal);
            int nextHeading = html.IndexOf("<h", html.IndexOf("</h", at, StringComparison.Ordinal) + 3, StringComparison.Ordinal);
            Assert.True(svg > 0 && (nextHeading < 0 || svg < nextHeading), "no picture under " + anchor);
            count++;
        }
        Assert.True(count > (which == "shipped" ? 200 : 15), $"{count} registers");
        // As many inline pictures as picture files, page by page.
        foreach (FileModel f in o.Models)
        {
            string dir = Path.Combine(o.Dir, "svg", GeneratedDocs.Output.Stem(f));
            int files = Directory.Exists(dir) ? Directory.GetFiles(dir, "*.svg").Length : 0;
            Assert.Equal(files, Regex.Matches(o.Html(f), "<svg ").Count);
        }
    }

    [Theory, MemberData(nameof(Both))]
    public void Pages_carry_names_offsets_resets_and_spec_references(string which)
    {
        var o = Get(which);
        foreach (var (f, b, g, r, anchor) in o.Registers())
        {
            string md = o.Md(f), html = o.Html(f);
            foreach (string page in new[] { md, html })
            {
                Assert.Contains(r.N.Name, page);
                ulong offset = g == null || g.Select != null ? r.Offset : g.Offset + r.Offset;
                Assert.Contains(new[] { 2, 4, 6, 8 }, d => page.Contains("0x" + offset.ToString("X" + d, CultureInfo.InvariantCulture), StringComparison.Ordinal));
                if (r.Reset is ulong reset) Assert.Contains(Hex(reset, r.ValueWidth), page);
                if (!string.IsNullOrEmpty(r.N.Spec)) Assert.Contains(Esc(SpecText(f, r.N.Spec!)), page);
                foreach (FieldDef fd in r.Fields)
                {
                    Assert.Contains(fd.N.Name, page);
                    Assert.Contains(fd.Hi == fd.Lo ? $"`{fd.Lo}`" : $"`{fd.Hi}:{fd.Lo}`", md);
                    if (!string.IsNullOrEmpty(fd.N.Spec)) Assert.Contains(Esc(SpecText(f, fd.N.Spec!)), page);
                }
            }
        }
        foreach (FileModel f in o.Models)
        {
            foreach (EnumDef e in f.Enums)
                foreach (EnumValueDef v in e.Values)
                    foreach (string page in new[] { o.Md(f), o.Html(f) })
                    {
                        Assert.Contains(v.N.Name, page);
                        Assert.Contains("0x" + v.Value.ToString("X", CultureInfo.InvariantCulture), page);
                    }
            foreach (FlagsDef fl in f.Flags)
                foreach (FlagBitDef bit in fl.Bits)
                    Assert.Contains($"<td>{bit.Bit}</td><td><code>0x{(1UL << bit.Bit).ToString("X" + Math.Max(1, fl.Width / 4), CultureInfo.InvariantCulture)}</code></td><td><code>{bit.N.Name}</code>", o.Html(f));
            foreach (LayoutDef l in f.Layouts)
                foreach (MemberDef m in l.Members.Concat(l.Views.SelectMany(v => v.Members)))
                {
                    Assert.Contains(m.N.Name, o.Md(f));
                    if (m.Offset is ulong off) Assert.Contains($"0x{off:X2}", o.Html(f));
                }
        }
    }

    [Fact]
    public void Field_values_resets_and_links_are_spelled_out()
    {
        var o = _docs.Fixture;
        FileModel w = o.Models.Single(f => f.Namespace == "Fixture.Dev");
        string md = o.Md(w), html = o.Html(w);
        // CTRL reset 0x241: MODE (9:8) resets to 2 = Fast, IRQ (bit 6) to 1.
        Assert.Contains("| `9:8` | `MODE` | `rw` | `0x2` | enum [`Mode`](#enum-Mode)<br>`0x0 Off`<br>`0x1 Slow`<br>`0x2 Fast` (reset) | Mode select |", md);
        Assert.Contains("| `6` | `IRQ` | `w1c` | `0x1` |", md);
        Assert.Contains("| `31:30` | `RSVD` | reserved | `0x0` |  | (reserved; written as zeros) |", md);
        // Flags in a field: bit numbers in the type and in the register; cross-file link.
        Assert.Contains("flags [`Options`](common.md#flags-Options)<br>`OPT_A` bit 0 (register bit 8)<br>`OPT_B` bit 7 (register bit 15)", md);
        Assert.Contains("<a href=\"common.html#flags-Options\"><code>Options</code></a>", html);
        // Arrays, groups, windows, ports, constants, indirect blocks.
        Assert.Contains("`0x0100 + 0x4·n`", md);
        Assert.Contains("16 elements, stride `0x4`", md);
        Assert.Contains("6 elements in 2 ranges", md);
        Assert.Contains("elements 4…5 at `0x0240` … `0x0248`", md);
        Assert.Contains("`0x1008 + 0x40·g`", md);
        Assert.Contains("element chosen by writing [`ChanSel`](#Widget.ChanSel)", md);
        Assert.Contains("| [`Features`](#Widget.Features) | 32 bits | 64 bits | 2 | [`FeatureSel`](#Widget.FeatureSel) |", md);
        Assert.Contains("**Done bit:** `READY` (polled every 5 µs, at most 1000 µs)", md);
        Assert.Contains("**Opcode field:** `OP`; read = `Read`, write = `Write`", md);
        Assert.Contains("| `MagicNumber` | `0xCAFEF00D` | 3405705229 | Magic &amp; more |", md);
        Assert.Contains("Registers (by number)", md);
        Assert.Contains("**Split:** two 32-bit accesses, high half first", md);
        Assert.Contains("**Requires:** one of `EXTRA` ([`WidgetFeatures`](common.md#flags-WidgetFeatures))", md);
        // Spec references combine the file's document and the section.
        Assert.Contains("Widget &lt;Pro&gt; &amp; Co manual §2.1", md);
        Assert.Contains("Widget &lt;Pro&gt; &amp; Co manual §2.1", html);

        FileModel c = o.Models.Single(f => f.Namespace == "FixtureCommon");
        string cmd = o.Md(c);
        Assert.Contains("| 40 | `0x0000010000000000` | `HIGHBIT` |  (from [`BaseFeatures`](#flags-BaseFeatures)) |", cmd);
        Assert.Contains("| after `Entries` | `Event` | 16 |", cmd);
        Assert.Contains("array of [`Desc`](#layout-Desc)", cmd);
        Assert.Contains("queue size (run time)", cmd);
        Assert.Contains("<a id=\"layout-Twin.B.Lo\"></a>", cmd);
        Assert.Contains("Common spec §9.1", cmd);
    }

    [Fact]
    public void Text_is_escaped_everywhere()
    {
        var o = _docs.Fixture;
        FileModel w = o.Models.Single(f => f.Namespace == "Fixture.Dev");
        string html = o.Html(w), md = o.Md(w), index = File.ReadAllText(Path.Combine(o.Dir, "index.html"));
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<script", index);
        Assert.DoesNotContain("<script", md);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot; | pipes", html);
        Assert.Contains("&lt;script&gt;alert('x')&lt;/script&gt; &amp; \"quotes\" \\| pipes \\* stars \\_under\\_ \\`ticks\\` \\[brackets\\]", md);
        // A pipe in a description must not split the Markdown table row.
        Assert.Contains("| Control &lt;register&gt; &amp; friends \\| more |", md);
        foreach (string line in md.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)))
            Assert.DoesNotContain("<script", line);
        string svg = File.ReadAllText(Path.Combine(o.Dir, "svg", "widget", "Widget.CTRL.svg"));
        Assert.Contains("Interrupt pending", svg);
    }

    [Theory, MemberData(nameof(Both))]
    public void Svgs_are_well_formed_and_draw_every_field(string which)
    {
        var o = Get(which);
        var svgs = o.Written.Where(p => p.EndsWith(".svg", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(svgs);
        foreach (string p in svgs)
        {
            XDocument doc = XDocument.Load(p);
            Assert.Equal(Svg + "svg", doc.Root!.Name);
            Assert.NotNull(doc.Root.Attribute("viewBox"));
            Assert.NotNull(doc.Root.Element(Svg + "title"));
            Assert.Contains(doc.Descendants(Svg + "rect"), r => (string?)r.Attribute("stroke") == "#333333");
        }
        foreach (var (f, b, g, r, anchor) in o.Registers())
        {
            XDocument doc = XDocument.Load(Path.Combine(o.Dir, "svg", GeneratedDocs.Output.Stem(f), anchor + ".svg"));
            var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
            var titles = doc.Descendants(Svg + "title").Select(t => t.Value).ToList();
            // Bits numbered MSB .. LSB.
            Assert.Contains((r.ValueWidth - 1).ToString(CultureInfo.InvariantCulture), texts);
            Assert.Contains("0", texts);
            Assert.True(texts.IndexOf((r.ValueWidth - 1).ToString(CultureInfo.InvariantCulture)) < texts.IndexOf("0"));
            foreach (FieldDef fd in r.Fields)
                Assert.Contains(titles, t => t.StartsWith($"{fd.N.Name} [{(fd.Hi == fd.Lo ? fd.Lo.ToString(CultureInfo.InvariantCulture) : $"{fd.Hi}:{fd.Lo}")}]", StringComparison.Ordinal));
            if (r.Reset is ulong reset)
                Assert.Contains("reset", texts);
            // Access kinds are drawn.
            Assert.Contains(texts, t => t.StartsWith(r.Access.Keyword() + " ", StringComparison.Ordinal) || r.Fields.Count > 0);
        }
    }

    [Fact]
    public void A_64_bit_register_is_two_rows_and_a_field_crossing_bit_32_is_drawn_in_both()
    {
        var o = _docs.Fixture;
        XDocument doc = XDocument.Load(Path.Combine(o.Dir, "svg", "widget", "Widget.COUNTER.svg"));
        var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Equal(2, texts.Count(t => t == "bit"));
        Assert.Equal(2, doc.Descendants(Svg + "title").Count(t => t.Value.StartsWith("LOW [35:0]", StringComparison.Ordinal)));
        Assert.Equal(64, Enumerable.Range(0, 64).Count(i => texts.Contains(i.ToString(CultureInfo.InvariantCulture))));
        // Reserved gap 39:36 is hatched.
        Assert.Contains(doc.Descendants(Svg + "title"), t => t.Value == "[39:36] reserved");
        Assert.Contains(doc.Descendants(Svg + "rect"), r => ((string?)r.Attribute("fill") ?? "").StartsWith("url(#hatch-", StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(Both))]
    public void Html_pages_are_well_formed_xhtml_with_unique_ids_and_working_links(string which)
    {
        var o = Get(which);
        var ids = new Dictionary<string, HashSet<string>>();
        var docs = new Dictionary<string, XDocument>();
        foreach (string p in o.Written.Where(p => p.EndsWith(".html", StringComparison.Ordinal)))
        {
            string text = File.ReadAllText(p);
            Assert.StartsWith("<!DOCTYPE html>", text);
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
            using var reader = XmlReader.Create(new StringReader(text), settings);
            XDocument doc = XDocument.Load(reader);
            Assert.Equal(Xhtml + "html", doc.Root!.Name);
            Assert.NotNull(doc.Root.Element(Xhtml + "head")!.Element(Xhtml + "style"));
            Assert.Empty(doc.Descendants(Xhtml + "link"));
            Assert.Empty(doc.Descendants(Xhtml + "script"));
            Assert.Empty(doc.Descendants(Xhtml + "img"));
            var pageIds = doc.Descendants().Attributes("id").Select(a => a.Value).ToList();
            Assert.Equal(pageIds.Count, pageIds.Distinct().Count());
            ids[Path.GetFileName(p)] = new HashSet<string>(pageIds);
            docs[Path.GetFileName(p)] = doc;
        }
        int links = 0;
        foreach (var (name, doc) in docs)
            foreach (string href in doc.Descendants(Xhtml + "a").Attributes("href").Select(a => a.Value))
            {
                Assert.DoesNotContain("://", href);
                int hash = href.IndexOf('#');
                string page = hash < 0 ? href : href.Substring(0, hash);
                string target = page.Length == 0 ? name : page;
                Assert.True(ids.ContainsKey(target), $"{name}: {href}");
                if (hash >= 0) Assert.True(ids[target].Contains(href.Substring(hash + 1)), $"{name}: broken link {href}");
                links++;
            }
        Assert.True(links > 20);
        // Each page's register table lists the block's registers.
        foreach (FileModel f in o.Models.Where(f => f.Blocks.Count > 0))
        {
            XDocument doc = docs[GeneratedDocs.Output.Stem(f) + ".html"];
            var tables = doc.Descendants(Xhtml + "table").Where(t => (string?)t.Attribute("class") == "registers").ToList();
            Assert.True(tables.Count >= f.Blocks.Count);
        }
    }

    [Theory, MemberData(nameof(Both))]
    public void Markdown_links_and_images_resolve(string which)
    {
        var o = Get(which);
        var anchors = new Dictionary<string, HashSet<string>>();
        var pages = o.Written.Where(p => p.EndsWith(".md", StringComparison.Ordinal)).ToList();
        foreach (string p in pages)
            anchors[Path.GetFileName(p)] = new HashSet<string>(Regex.Matches(File.ReadAllText(p), "<a id=\"([^\"]+)\"></a>").Select(m => m.Groups[1].Value));
        foreach (string p in pages)
        {
            string text = File.ReadAllText(p);
            foreach (Match m in Regex.Matches(text, @"\]\(([^)\s]*)\)"))
            {
                string href = m.Groups[1].Value;
                if (href.EndsWith(".svg", StringComparison.Ordinal)) { Assert.True(File.Exists(Path.Combine(o.Dir, href)), href); continue; }
                int hash = href.IndexOf('#');
                string page = hash < 0 ? href : href.Substring(0, hash);
                string target = page.Length == 0 ? Path.GetFileName(p) : page;
                Assert.True(anchors.ContainsKey(target), $"{p}: {href}");
                if (hash >= 0) Assert.True(anchors[target].Contains(href.Substring(hash + 1)), $"{Path.GetFileName(p)}: broken link {href}");
            }
            // Table rows keep their column count: escaped pipes do not split cells.
            foreach (var table in text.Split("\n\n").Where(b => b.StartsWith("| ", StringComparison.Ordinal)))
            {
                var rows = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                int cols = Cells(rows[0]);
                Assert.All(rows, r => Assert.Equal(cols, Cells(r)));
            }
        }
    }

    [Fact]
    public void Output_is_deterministic_and_independent_of_input_order_and_location()
    {
        var models = TestPaths.Load(TestPaths.Defs);
        string a = TestPaths.TempDir("det-a"), b = TestPaths.TempDir("det-b");
        var wa = DocGenerator.Generate(models, a);
        var reversed = Enumerable.Reverse(models).ToList();
        var wb = DocGenerator.Generate(reversed, b);
        Assert.Equal(wa.Select(p => Path.GetRelativePath(a, p)), wb.Select(p => Path.GetRelativePath(b, p)));
        foreach (string p in wa)
            Assert.True(File.ReadAllBytes(p).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, Path.GetRelativePath(a, p)))), p);
        // No trace of the machine: no absolute source paths, no time stamps.
        string igb = File.ReadAllText(Path.Combine(a, "igb.html"));
        Assert.DoesNotContain(TestPaths.Root, igb);
        Assert.DoesNotContain(DateTime.UtcNow.Year.ToString(CultureInfo.InvariantCulture) + "-", igb);
        Directory.Delete(a, true);
        Directory.Delete(b, true);
    }

    [Fact]
    public void Index_lists_every_file_block_and_register()
    {
        var o = _docs.Shipped;
        string md = File.ReadAllText(Path.Combine(o.Dir, "index.md"));
        string html = File.ReadAllText(Path.Combine(o.Dir, "index.html"));
        foreach (FileModel f in o.Models)
        {
            Assert.Contains($"]({GeneratedDocs.Output.Stem(f)}.md#top)", md);
            foreach (BlockDef b in f.Blocks) Assert.Contains($"href=\"{GeneratedDocs.Output.Stem(f)}.html#block-{b.N.Name}\"", html);
        }
        foreach (var (f, b, g, r, anchor) in o.Registers())
            Assert.Contains($"href=\"{GeneratedDocs.Output.Stem(f)}.html#{anchor}\"", html);
        foreach (Access a in Enum.GetValues<Access>())
            Assert.Contains($"class=\"acc acc-{a.ToString().ToLowerInvariant()}\"", html);
    }

    [Fact]
    public void Empty_input_writes_an_index_only()
    {
        string dir = Path.Combine(TestPaths.TempDir("empty"), "new", "dir");
        var written = DocGenerator.Generate(Array.Empty<FileModel>(), dir);
        Assert.Equal(new[] { Path.Combine(dir, "index.md"), Path.Combine(dir, "index.html") }, written);
        Assert.Contains("0 register files", File.ReadAllText(written[0]));
    }

    private static int Cells(string row) => Regex.Matches(row, @"(?<!\\)\|").Count;

    private static string Hex(ulong v, int bits) => "0x" + v.ToString("X" + ((bits + 3) / 4), CultureInfo.InvariantCulture);

    private static string SpecText(FileModel f, string spec) =>
        (string.IsNullOrEmpty(f.Spec) ? "" : f.Spec + " ") + (char.IsDigit(spec[0]) ? "§" : "") + spec;

    private static string Esc(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
