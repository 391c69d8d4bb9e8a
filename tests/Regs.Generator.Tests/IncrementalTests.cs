using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using System.Collections.Immutable;
using Xunit;

namespace Regs.Generator.Tests;

/// <summary>The pipeline caches: unrelated edits cost nothing, one YAML edit regenerates one file.</summary>
[Trait("Category", "Generator")]
public sealed class IncrementalTests
{
    private const string A = "namespace: T\nflags:\n  - { name: F, width: 8, bits: [ { name: X, bit: 0 } ] }\n";
    private const string B = "namespace: T\nblocks:\n  - name: B\n    registers:\n      - { name: R, offset: 0, type: F, doc: first }\n";

    private static IncrementalStepRunReason[] Reasons(GeneratorDriver driver, string step)
        => driver.GetRunResult().Results[0].TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    [Fact]
    public void UnrelatedCSharpEditLeavesEveryStepCached()
    {
        Compilation c = GeneratorHarness.Compilation("class C { }");
        GeneratorDriver driver = GeneratorHarness.Driver(("/a.regs.yaml", A), ("/b.regs.yaml", B)).RunGenerators(c);
        Compilation edited = c.ReplaceSyntaxTree(c.SyntaxTrees.First(), CSharpSyntaxTree.ParseText("class C { int x; }", GeneratorHarness.ParseOptions));
        driver = driver.RunGenerators(edited);
        Assert.All(Reasons(driver, RegsGenerator.ParseStep), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(Reasons(driver, RegsGenerator.SymbolsStep), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(Reasons(driver, RegsGenerator.ResolveStep), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(Reasons(driver, RegsGenerator.EmitStep), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void EditingOneYamlFileRegeneratesOnlyThatFile()
    {
        Compilation c = GeneratorHarness.Compilation("class C { }");
        var a = new InMemoryText("/a.regs.yaml", A);
        var b = new InMemoryText("/b.regs.yaml", B);
        GeneratorDriver driver = GeneratorHarness.Driver().AddAdditionalTexts(new AdditionalText[] { a, b }.ToImmutableArray()).RunGenerators(c);
        driver = driver.ReplaceAdditionalText(b, new InMemoryText("/b.regs.yaml", B.Replace("first", "second"))).RunGenerators(c);

        // b's parse, resolve and emit ran again; a's were cached. The symbol table (names and widths only) did not change.
        Assert.Equal(new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Modified }, Reasons(driver, RegsGenerator.ParseStep));
        Assert.Equal(IncrementalStepRunReason.Unchanged, Assert.Single(Reasons(driver, RegsGenerator.SymbolsStep)));
        Assert.Equal(new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Modified }, Reasons(driver, RegsGenerator.ResolveStep));
        Assert.Equal(new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Modified }, Reasons(driver, RegsGenerator.EmitStep));
        Assert.Contains("second", driver.GetRunResult().Results[0].GeneratedSources.Single(s => s.HintName.Contains(".b.")).SourceText.ToString());
    }

    [Fact]
    public void ANewTypeElsewhereResolvesEveryFileAgainButEmitsOnlyTheChangedOne()
    {
        Compilation c = GeneratorHarness.Compilation("class C { }");
        var a = new InMemoryText("/a.regs.yaml", A);
        var b = new InMemoryText("/b.regs.yaml", B);
        GeneratorDriver driver = GeneratorHarness.Driver().AddAdditionalTexts(new AdditionalText[] { a, b }.ToImmutableArray()).RunGenerators(c);
        string before = driver.GetRunResult().Results[0].GeneratedSources.Single(s => s.HintName.Contains(".b.")).SourceText.ToString();
        const string newEnum = "enums:\n  - { name: E, values: [ { name: Z, value: 0 } ] }\n";
        driver = driver.ReplaceAdditionalText(a, new InMemoryText("/a.regs.yaml", A + newEnum)).RunGenerators(c);

        // The symbol table changed, so b is checked and resolved again; its spec is equal, so its source is not re-emitted.
        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(Reasons(driver, RegsGenerator.SymbolsStep)));
        Assert.Equal(new[] { IncrementalStepRunReason.Modified, IncrementalStepRunReason.Unchanged }, Reasons(driver, RegsGenerator.ResolveStep));
        Assert.Equal(new[] { IncrementalStepRunReason.Modified, IncrementalStepRunReason.Cached }, Reasons(driver, RegsGenerator.EmitStep));
        Assert.Equal(before, driver.GetRunResult().Results[0].GeneratedSources.Single(s => s.HintName.Contains(".b.")).SourceText.ToString());
    }

    [Fact]
    public void OutputIsDeterministic()
    {
        string[] first = GeneratorHarness.Run(("/a.regs.yaml", A), ("/b.regs.yaml", B)).Sources.ToArray();
        string[] second = GeneratorHarness.Run(("/b.regs.yaml", B), ("/a.regs.yaml", A)).Sources.OrderBy(s => s.Contains("flags") ? 0 : 1).ToArray();
        Assert.Equal(first.OrderBy(s => s), second.OrderBy(s => s));
    }
}
