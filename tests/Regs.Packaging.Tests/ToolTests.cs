using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Packaging.Tests;

/// <summary>
/// The regs tool (generator/Regs.Tool, PackageId Regs.Tool, command `regs`) packed into the local
/// feed, installed as a local tool in a fixture git repository and run as `dotnet regs diff`.
/// </summary>
[Trait("Category", "Packaging")]
public sealed class ToolTests
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Consumers", "ToolFixture");
    private readonly ITestOutputHelper _output;

    public ToolTests(ITestOutputHelper output) { _output = output; }

    /// <summary>One change of the fixture's second commit: how each report shows it.</summary>
    private sealed record Expected(string Kind, string Target, string Item, string? Old, string? New, bool Breaking);

    // v1.regs.yaml -> v2.regs.yaml: one change of every kind the brief lists.
    private static readonly Expected[] Changes =
    {
        new("added",         "register",  "Dev.NEW_REG",   null,      "0x30",           false),
        new("removed",       "register",  "Dev.OLD_REG",   "0x4",     null,             true),
        new("renamed",       "register",  "Dev.STATUS",    "STAT",    "STATUS",         true),
        new("moved",         "register",  "Dev.DATA",      "0xC",     "0x10",           true),
        new("widthChanged",  "register",  "Dev.WIDE",      "16",      "32",             true),
        new("bitsChanged",   "field",     "Dev.CFG.LEVEL", "7:4",     "9:4",            true),
        new("accessChanged", "register",  "Dev.IRQ",       "rw",      "ro",             true),
        new("resetChanged",  "register",  "Dev.RST",       "0x0",     "0x5",            false),
        new("valueChanged",  "enumValue", "Mode.On",       "0x1",     "0x2",            true),
        new("docChanged",    "register",  "Dev.CTRL",      "Control", "Device control", false),
    };

    [Fact]
    public async Task Regs_tool_installs_from_the_feed_and_diffs_two_commits_in_every_format()
    {
        LocalFeed feed = await LocalFeed.Get();
        Assert.True(File.Exists(Path.Combine(feed.FeedDirectory, $"Regs.Tool.{LocalFeed.Version}.nupkg")), "dotnet pack Regs.sln made no Regs.Tool package");

        // A git repository with two commits of one register map.
        string repo = feed.NewProjectDirectory("tool-fixture", tool: true);
        Git(repo, "init", "-q");
        File.Copy(Path.Combine(Fixture, "v1.regs.yaml"), Path.Combine(repo, "dev.regs.yaml"));
        Git(repo, "add", "dev.regs.yaml");
        Git(repo, "commit", "-q", "-m", "v1");
        File.Copy(Path.Combine(Fixture, "v2.regs.yaml"), Path.Combine(repo, "dev.regs.yaml"), overwrite: true);
        Git(repo, "commit", "-q", "-a", "-m", "v2");

        // The tool as a local tool, from the feed (NuGet.config above the repository: nuget.org through the mirror).
        ProcessResult manifest = feed.Dotnet(repo, "new", "tool-manifest");
        Assert.True(manifest.ExitCode == 0, manifest.ToString());
        ProcessResult install = feed.Dotnet(repo, "tool", "install", "Regs.Tool", "--add-source", feed.FeedDirectory, "--version", LocalFeed.Version);
        _output.WriteLine($"dotnet tool install: {install.Elapsed.TotalSeconds:F1} s");
        Assert.True(install.ExitCode == 0, install.ToString());

        // JSON: parsed; every change with its kind, target, item, values and classification.
        ProcessResult json = feed.Dotnet(repo, "regs", "diff", "HEAD~1", "HEAD", "--format", "json");
        Assert.True(json.ExitCode == 2, json.ToString());
        using (JsonDocument doc = JsonDocument.Parse(json.StdOut))
        {
            JsonElement root = doc.RootElement;
            Assert.Equal(2, root.GetProperty("exitCode").GetInt32());
            Assert.Equal(Changes.Count(c => c.Breaking), root.GetProperty("summary").GetProperty("breaking").GetInt32());
            Assert.Equal(Changes.Count(c => !c.Breaking), root.GetProperty("summary").GetProperty("nonBreaking").GetInt32());
            var actual = root.GetProperty("changes").EnumerateArray().Select(c => new Expected(
                c.GetProperty("kind").GetString()!,
                c.GetProperty("target").GetString()!,
                string.Join(".", new[] { "block", "register", "field" }.Select(p => c.GetProperty(p).GetString()).Where(s => s != null)),
                c.GetProperty("old").GetString(),
                c.GetProperty("new").GetString(),
                c.GetProperty("breaking").GetBoolean())).OrderBy(c => c.Kind, StringComparer.Ordinal).ToArray();
            Assert.Equal(Changes.OrderBy(c => c.Kind, StringComparer.Ordinal).ToArray(), actual);
        }

        // Markdown: one table row per change, breaking ones in bold.
        ProcessResult markdown = feed.Dotnet(repo, "regs", "diff", "HEAD~1", "HEAD", "--format", "markdown");
        Assert.True(markdown.ExitCode == 2, markdown.ToString());
        string[] mdLines = markdown.StdOut.Split('\n');
        foreach (Expected c in Changes)
        {
            string[] rows = mdLines.Where(l => l.StartsWith('|') && l.Contains($"`{c.Item}`", StringComparison.Ordinal)).ToArray();
            Assert.True(rows.Length == 1, $"{c.Kind}: {rows.Length} markdown rows for {c.Item}\n{markdown.StdOut}");
            Assert.StartsWith(c.Breaking ? "| **breaking** |" : "| non-breaking |", rows[0]);
            if (c.Old != null) Assert.Contains($"`{c.Old}`", rows[0]);
            if (c.New != null) Assert.Contains($"`{c.New}`", rows[0]);
        }

        // Text (redirected, so plain): one line per change.
        ProcessResult text = feed.Dotnet(repo, "regs", "diff", "HEAD~1", "HEAD", "--format", "text");
        Assert.True(text.ExitCode == 2, text.ToString());
        string[] textLines = text.StdOut.Split('\n');
        foreach (Expected c in Changes)
        {
            string[] rows = textLines.Where(l => l.Contains($" {c.Item}:", StringComparison.Ordinal)).ToArray();
            Assert.True(rows.Length == 1, $"{c.Kind}: {rows.Length} text lines for {c.Item}\n{text.StdOut}");
            Assert.StartsWith(c.Breaking ? "BREAKING" : "non-breaking", rows[0].TrimStart());
            foreach (string? value in new[] { c.Old, c.New })
                if (value != null && c.Kind != "docChanged") Assert.Contains(value, rows[0]);
        }
        Assert.Contains("7 breaking and 3 non-breaking changes", text.StdOut);
    }

    private static void Git(string repo, params string[] args)
    {
        ProcessResult r = Processes.Run("git",
            new[] { "-c", "user.name=Regs Packaging", "-c", "user.email=packaging@regs.invalid", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main" }.Concat(args),
            repo);
        Assert.True(r.ExitCode == 0, r.ToString());
    }
}
