using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Regs.Generator.Tests.Fuzz;

/// <summary>
/// The seed inputs: every shipped register file plus the generator's test device. Files of one
/// folder are checked together (they may refer to each other's types), so a mutated file is run
/// beside its unmutated neighbours.
/// </summary>
internal sealed class FuzzCorpus
{
    public sealed record Seed(string Path, string Text, FNode Tree, IReadOnlyList<(string Path, string Text)> Neighbours);

    public IReadOnlyList<Seed> Seeds { get; }

    private FuzzCorpus(IReadOnlyList<Seed> seeds) { Seeds = seeds; }

    public static FuzzCorpus Shared { get; } = Load();

    private static FuzzCorpus Load()
    {
        var files = Directory.GetFiles(TestPaths.Defs, "*.regs.yaml", SearchOption.AllDirectories)
            .Append(Path.Combine(TestPaths.Tests, "Yaml", "testdevice.regs.yaml"))
            .OrderBy(f => f, System.StringComparer.Ordinal)
            .Select(f => (Full: f, Dir: Path.GetDirectoryName(f)!, Virtual: "/fuzz/" + Path.GetFileName(f), Text: File.ReadAllText(f)))
            .ToList();
        var seeds = files.Select(f => new Seed(f.Virtual, f.Text, FNode.Load(f.Text),
            files.Where(o => o.Dir == f.Dir && o.Full != f.Full).Select(o => (o.Virtual, o.Text)).ToList())).ToList();
        return new FuzzCorpus(seeds);
    }
}
