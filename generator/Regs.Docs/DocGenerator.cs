using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Regs.Language.Model;

namespace Regs.Docs;

/// <summary>
/// Writes register documentation for checked register files: for each file a Markdown page and an
/// HTML page, an index of both kinds, and one SVG bit-field picture per register (inlined in the
/// HTML, referenced from the Markdown). The output is deterministic and self-contained.
/// </summary>
public static class DocGenerator
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Generates documentation for <paramref name="files"/> into <paramref name="outputDirectory"/>
    /// (created if missing; existing files of the same names are overwritten, nothing is deleted) and
    /// returns the full paths of the files written, in a stable order: <c>index.md</c>,
    /// <c>index.html</c>, then per register file <c>NAME.md</c>, <c>NAME.html</c> and its
    /// <c>svg/NAME/*.svg</c>, where NAME is the file name without <c>.regs.yaml</c>.
    /// </summary>
    /// <param name="files">The models, as returned by <c>RegsLanguage.Check</c> (ideally free of diagnostics).</param>
    /// <param name="outputDirectory">The directory to write into.</param>
    /// <returns>The paths written.</returns>
    public static IReadOnlyList<string> Generate(IReadOnlyList<FileModel> files, string outputDirectory)
    {
        if (files == null) throw new ArgumentNullException(nameof(files));
        if (outputDirectory == null) throw new ArgumentNullException(nameof(outputDirectory));
        string root = Path.GetFullPath(outputDirectory);
        Directory.CreateDirectory(root);

        IReadOnlyList<Page> pages = Build(files);
        var written = new List<string>();
        foreach (Page page in pages)
        {
            written.Add(Write(root, page.Stem + ".md", MarkdownRenderer.Render(page)));
            written.Add(Write(root, page.Stem + ".html", HtmlRenderer.Render(page)));
            foreach (Picture pic in page.Pictures)
                written.Add(Write(root, pic.RelativePath, pic.Svg));
        }
        return written;
    }

    /// <summary>The pages, index first, then one per file ordered by path.</summary>
    internal static IReadOnlyList<Page> Build(IReadOnlyList<FileModel> files)
    {
        List<FileModel> ordered = files.OrderBy(f => PageBuilder.FileName(f), StringComparer.Ordinal)
                                       .ThenBy(f => f.Path.Replace('\\', '/'), StringComparer.Ordinal).ToList();
        var stems = new Dictionary<FileModel, string>(ReferenceEqualityComparer.Instance);
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "index" };
        foreach (FileModel f in ordered)
        {
            string name = PageBuilder.FileName(f);
            if (name.EndsWith(Regs.Language.RegsLanguage.FileSuffix, StringComparison.OrdinalIgnoreCase))
                name = name.Substring(0, name.Length - Regs.Language.RegsLanguage.FileSuffix.Length);
            string stem = Format.Slug(name);
            string candidate = stem;
            for (int i = 2; !taken.Add(candidate); i++) candidate = stem + "-" + i;
            stems[f] = candidate;
        }

        var symbols = new Symbols();
        foreach (FileModel f in ordered)
        {
            string stem = stems[f];
            foreach (EnumDef e in f.Enums) symbols.Add(f, e.N.Name, e, new Target(stem, PageBuilder.EnumAnchor(e)));
            foreach (FlagsDef fl in f.Flags) symbols.Add(f, fl.N.Name, fl, new Target(stem, PageBuilder.FlagsAnchor(fl)));
            foreach (LayoutDef l in f.Layouts) symbols.Add(f, l.N.Name, l, new Target(stem, PageBuilder.LayoutAnchor(l)));
            foreach (BlockDef b in f.Blocks) symbols.Add(f, b.N.Name, b, new Target(stem, PageBuilder.BlockAnchor(b)));
        }

        var svgNames = new HashSet<string>(StringComparer.Ordinal);
        var pages = new List<Page> { IndexBuilder.Build(ordered, stems) };
        foreach (FileModel f in ordered)
            pages.Add(new PageBuilder(f, stems[f], symbols, svgNames).Build());
        return pages;
    }

    private static string Write(string root, string relative, string text)
    {
        string path = Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, Utf8);
        return path;
    }
}
