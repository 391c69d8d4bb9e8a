using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Regs.Language.Model;

namespace Regs.Docs.Tests;

/// <summary>Documentation generated once per test class, for the shipped defs and for the fixture.</summary>
public sealed class GeneratedDocs : IDisposable
{
    public GeneratedDocs()
    {
        Shipped = Generate("shipped", TestPaths.Defs);
        Fixture = Generate("fixture", TestPaths.Fixtures);
    }

    public void Dispose()
    {
        foreach (string dir in new[] { Shipped.Dir, Fixture.Dir })
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public Output Shipped { get; }
    public Output Fixture { get; }

    private static Output Generate(string name, string dir)
    {
        List<FileModel> models = TestPaths.Load(dir);
        string outDir = TestPaths.TempDir(name);
        IReadOnlyList<string> written = DocGenerator.Generate(models, outDir);
        return new Output(models, outDir, written);
    }

    public sealed record Output(List<FileModel> Models, string Dir, IReadOnlyList<string> Written)
    {
        /// <summary>The page name of a register file: its file name without ".regs.yaml".</summary>
        public static string Stem(FileModel f)
        {
            string n = Path.GetFileName(f.Path);
            return n.Substring(0, n.Length - ".regs.yaml".Length);
        }

        public string Md(FileModel f) => File.ReadAllText(Path.Combine(Dir, Stem(f) + ".md"));
        public string Html(FileModel f) => File.ReadAllText(Path.Combine(Dir, Stem(f) + ".html"));

        /// <summary>Every register of every block with its anchor (Block.Register or Block.Group.Register).</summary>
        public IEnumerable<(FileModel File, BlockDef Block, GroupDef? Group, RegisterDef Reg, string Anchor)> Registers() =>
            Models.SelectMany(f => f.Blocks.SelectMany(b =>
                b.Registers.Select(r => (f, b, (GroupDef?)null, r, $"{b.N.Name}.{r.N.Name}"))
                 .Concat(b.Groups.SelectMany(g => g.Registers.Select(r => (f, b, (GroupDef?)g, r, $"{b.N.Name}.{g.N.Name}.{r.N.Name}"))))));
    }
}
