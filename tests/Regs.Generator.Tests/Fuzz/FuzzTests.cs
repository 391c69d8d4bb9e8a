using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Regs.Language;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Generator.Tests.Fuzz;

/// <summary>
/// Thousands of mutated register files through the language and the real generator: no crash,
/// no hang, every rejection explained at a real place, every accepted file compiles (sampled).
/// </summary>
[Trait("Category", "Fuzz")]
[Collection("Fuzz")]
public sealed class FuzzTests
{
    private readonly ITestOutputHelper _out;
    public FuzzTests(ITestOutputHelper output) { _out = output; }

    private static FuzzCorpus Corpus => FuzzCorpus.Shared;

    [Fact]
    public void SeedsRoundTripThroughTheTreeWriterAndAreAccepted()
    {
        foreach (FuzzCorpus.Seed seed in Corpus.Seeds)
        {
            string written = seed.Tree.Write();
            var (_, diagnostics) = RegsLanguage.Check(seed.Neighbours.Prepend((seed.Path, written)));
            Assert.True(diagnostics.Count == 0, $"{seed.Path}: {string.Join("\n", diagnostics)}");
            FuzzOracle.Run("seed-" + Path.GetFileName(seed.Path), seed, written, compile: true);
        }
    }

    [Fact]
    public void StructureMutationsNeverCrashHangOrGoUnexplained()
    {
        var names = StructureMutator.All.Select(m => m.Name).ToArray();
        var campaign = new FuzzCampaign("structure", 20_251_001, names);
        string report = campaign.Run(defaultPerMutator: 300, (mutator, rng) =>
        {
            FuzzCorpus.Seed seed = Corpus.Seeds[rng.Next(Corpus.Seeds.Count)];
            FNode tree = seed.Tree.Clone();
            StructureMutator.All[mutator].Apply(rng, tree, Corpus);
            // Sometimes stack more mutations: bugs hide in combinations.
            for (int extra = rng.Next(4) - 1; extra > 0; extra--)
                StructureMutator.All[rng.Next(StructureMutator.All.Length)].Apply(rng, tree, Corpus);
            return (tree.Write(), seed);
        });
        _out.WriteLine(report);
        Assert.True(campaign.Total.Accepted > 0 && campaign.Total.Rejected > 0, report);
    }

    [Fact]
    public void ByteMutationsNeverCrashHangOrGoUnexplained()
    {
        var names = ByteMutator.All.Select(m => m.Name).ToArray();
        var campaign = new FuzzCampaign("bytes", 20_251_002, names);
        string report = campaign.Run(defaultPerMutator: 400, (mutator, rng) =>
        {
            FuzzCorpus.Seed seed = Corpus.Seeds[rng.Next(Corpus.Seeds.Count)];
            var bytes = new List<byte>(Encoding.UTF8.GetBytes(seed.Text));
            ByteMutator.All[mutator].Apply(rng, bytes);
            if (rng.Next(3) == 0) ByteMutator.All[rng.Next(ByteMutator.All.Length)].Apply(rng, bytes);
            // As File.ReadAllText reads it: invalid sequences become U+FFFD.
            return (Encoding.UTF8.GetString(bytes.ToArray()), seed);
        });
        _out.WriteLine(report);
        Assert.True(campaign.Total.Rejected > 0, report);
    }
}
