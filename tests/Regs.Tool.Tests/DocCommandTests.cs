using System.IO;
using Xunit;

namespace Regs.Tool.Tests;

/// <summary><c>regs doc</c>: checks first, then hands the models to Regs.Docs.</summary>
[Trait("Category", "Tool")]
public sealed class DocCommandTests
{
    [Fact]
    public void InvalidInputExitsThreeAndWritesNothing()
    {
        using var dir = new TempDir();
        dir.Write("bad.regs.yaml", Fixture.With("name: RST, bit: 4", "name: RST, bit: 40"));
        var r = Tool.Run(dir.Path, "doc", "bad.regs.yaml", "-o", "out");
        Assert.Equal(3, r.Code);
        Assert.Contains("error REGS008", r.Err);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "out")));
    }

    [Fact]
    public void WritesDocumentation()
    {
        using var dir = new TempDir();
        dir.Write("maps/dev.regs.yaml", Fixture.Map);
        var r = Tool.Run(dir.Path, "doc", "maps", "-o", "out");
        Assert.True(r.Code == 0, r.Out + r.Err);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir.Path, "out"), "*", SearchOption.AllDirectories));
        Assert.Contains("regs doc: wrote", r.Out);
    }

    [Fact]
    public void OutputIsRequired()
    {
        using var dir = new TempDir();
        dir.Write("dev.regs.yaml", Fixture.Map);
        Assert.Equal(3, Tool.Run(dir.Path, "doc", "dev.regs.yaml").Code);
    }
}
