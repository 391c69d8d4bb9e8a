using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Regs.Tool.Tests;

/// <summary><c>regs diff</c> with git revisions, the working tree and <c>--path</c>, on fixture repositories.</summary>
[Trait("Category", "Tool")]
public sealed class RevisionTests
{
    private const string Other = "namespace: Other\nblocks:\n  - name: O\n    registers:\n      - { name: R, offset: 0, doc: One }\n";

    /// <summary>Two commits: defs/dev loses DATA (breaking); other/o changes a doc text (non-breaking).</summary>
    private static GitRepo TwoVersions()
    {
        var repo = new GitRepo();
        repo.Write("defs/dev.regs.yaml", Fixture.Map);
        repo.Write("other/o.regs.yaml", Other);
        repo.Write("README.md", "not a register file\n");
        repo.Commit("v1");
        repo.Git("tag", "v1");
        repo.Write("defs/dev.regs.yaml", Fixture.With("      - { name: DATA, offset: 0x08 }\n", ""));
        repo.Write("other/o.regs.yaml", Other.Replace("doc: One", "doc: Two"));
        repo.Commit("v2");
        return repo;
    }

    private static JsonElement[] Changes(Tool.Result r)
    {
        using JsonDocument doc = JsonDocument.Parse(r.Out);
        return doc.RootElement.GetProperty("changes").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    [Fact]
    public void PreviousCommitAgainstHead()
    {
        using GitRepo repo = TwoVersions();
        var r = Tool.Run(repo.Path, "diff", "HEAD~1", "HEAD", "--format", "json");
        Assert.Equal(2, r.Code);
        JsonElement[] changes = Changes(r);
        Assert.Equal(2, changes.Length);
        JsonElement removed = changes.Single(c => c.GetProperty("kind").GetString() == "removed");
        Assert.Equal("DATA", removed.GetProperty("register").GetString());
        Assert.Equal("defs/dev.regs.yaml", removed.GetProperty("location").GetProperty("path").GetString());
        JsonElement doc = changes.Single(c => c.GetProperty("kind").GetString() == "docChanged");
        Assert.Equal("other/o.regs.yaml", doc.GetProperty("location").GetProperty("path").GetString());
    }

    [Fact]
    public void PathRestrictsBothRevisions()
    {
        using GitRepo repo = TwoVersions();
        var defs = Tool.Run(repo.Path, "diff", "HEAD~1", "HEAD", "--path", "defs/", "--format", "json");
        Assert.Equal(2, defs.Code);
        Assert.All(Changes(defs), c => Assert.StartsWith("defs/", c.GetProperty("location").GetProperty("path").GetString()));
        var other = Tool.Run(repo.Path, "diff", "v1", "main", "--path", "./other");
        Assert.Equal(1, other.Code);
        Assert.Equal("regs diff v1 -> main: 0 breaking and 1 non-breaking change", other.OutLines[0]);
    }

    [Fact]
    public void RevisionAgainstWorkingTree()
    {
        using GitRepo repo = TwoVersions();
        Assert.Equal(0, Tool.Run(repo.Path, "diff", "HEAD").Code);
        Assert.Equal(2, Tool.Run(repo.Path, "diff", "HEAD~1", "--path", "defs").Code);

        // An uncommitted doc edit, and an untracked new file: both are in the working tree.
        repo.Write("defs/dev.regs.yaml", Fixture.With("      - { name: DATA, offset: 0x08 }\n", "").Replace("doc: Control", "doc: Device control"));
        repo.Write("defs/extra.regs.yaml", "namespace: Extra\nenums:\n  - { name: E, values: [ { name: X, value: 0 } ] }\n");
        var r = Tool.Run(repo.Path, "diff", "HEAD", "--path", "defs/", "--format", "json");
        Assert.Equal(1, r.Code);
        JsonElement[] changes = Changes(r);
        Assert.Equal(new[] { "docChanged", "added" }, changes.Select(c => c.GetProperty("kind").GetString()).OrderBy(k => k == "added"));
        Assert.Contains(changes, c => c.GetProperty("location").GetProperty("path").GetString() == "defs/extra.regs.yaml");
        using JsonDocument doc = JsonDocument.Parse(r.Out);
        Assert.Equal("working tree", doc.RootElement.GetProperty("new").GetString());
    }

    [Fact]
    public void WorksFromASubfolderWithRepositoryRelativePath()
    {
        using GitRepo repo = TwoVersions();
        var r = Tool.Run(Path.Combine(repo.Path, "other"), "diff", "HEAD~1", "HEAD", "--path", "defs/");
        Assert.Equal(2, r.Code);
        Assert.Contains(r.OutLines, l => l.Contains("Dev.DATA: register removed"));
    }

    [Fact]
    public void ExistingPathWinsOverRevision()
    {
        using GitRepo repo = TwoVersions();
        // A folder named like the tag v1, holding the current map: against HEAD, no change.
        repo.Write("v1/dev.regs.yaml", Fixture.With("      - { name: DATA, offset: 0x08 }\n", ""));
        var r = Tool.Run(repo.Path, "diff", "v1", "HEAD", "--path", "defs");
        Assert.Equal(0, r.Code);
    }

    [Fact]
    public void RevisionWithInvalidFilesExitsThree()
    {
        using GitRepo repo = TwoVersions();
        repo.Write("defs/dev.regs.yaml", "namespace: Dev\nblocks:\n  - { name: B, registers: [ { name: R } ] }\n");
        repo.Commit("broken");
        var r = Tool.Run(repo.Path, "diff", "HEAD~1", "HEAD", "--path", "defs/");
        Assert.Equal(3, r.Code);
        Assert.Contains("defs/dev.regs.yaml(3,29): error REGS004", r.Err);
    }

    [Fact]
    public void UnknownRevisionExitsThree()
    {
        using GitRepo repo = TwoVersions();
        var r = Tool.Run(repo.Path, "diff", "no-such-branch", "HEAD");
        Assert.Equal(3, r.Code);
        Assert.Contains("'no-such-branch' is neither a file, a folder nor a git revision", r.Err);
    }

    [Fact]
    public void NoRegisterFilesAnywhereExitsThree()
    {
        using GitRepo repo = TwoVersions();
        var r = Tool.Run(repo.Path, "diff", "HEAD~1", "HEAD", "--path", "docs/");
        Assert.Equal(3, r.Code);
        Assert.Contains("no *.regs.yaml files", r.Err);
    }

    [Fact]
    public void OutsideARepositoryARevisionIsAnError()
    {
        using var dir = new TempDir();
        var r = Tool.Run(dir.Path, "diff", "HEAD");
        Assert.Equal(3, r.Code);
        Assert.Contains("not in a git repository", r.Err);
    }
}
