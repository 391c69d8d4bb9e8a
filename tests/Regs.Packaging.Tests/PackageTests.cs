using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading.Tasks;
using System.Xml.Linq;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Packaging.Tests;

/// <summary>What `dotnet pack Regs.sln` produces: which packages, what is inside, their metadata.</summary>
[Trait("Category", "Packaging")]
public sealed class PackageTests
{
    private readonly ITestOutputHelper _output;

    public PackageTests(ITestOutputHelper output) { _output = output; }

    [Fact]
    public async Task Pack_produces_exactly_the_library_packages_with_symbols()
    {
        LocalFeed feed = await LocalFeed.Get();
        _output.WriteLine($"dotnet pack Regs.sln -c Release: {feed.Pack.Elapsed.TotalSeconds:F1} s into {feed.FeedDirectory}");
        string[] packages = Directory.GetFiles(feed.FeedDirectory, "*.nupkg").Select(Path.GetFileName).Select(f => f!).ToArray();
        foreach (string p in packages.Order()) _output.WriteLine("  " + p);

        var ids = packages.Select(p => p[..^$".{LocalFeed.Version}.nupkg".Length]).Order().ToArray();
        Assert.Equal(LocalFeed.ExpectedPackages.Order().ToArray(), ids);
        // Libraries have symbol packages; the generator's analyzer is not a library.
        foreach (string id in LocalFeed.ExpectedPackages.Where(i => i != "Regs.Generator" && i != "Regs.Tool"))
            Assert.True(File.Exists(Path.Combine(feed.FeedDirectory, $"{id}.{LocalFeed.Version}.snupkg")), id + ": no .snupkg");
        Assert.True(feed.Pack.Elapsed < TimeSpan.FromMinutes(3), $"pack took {feed.Pack.Elapsed}");
    }

    [Fact]
    public async Task Generator_package_holds_the_analyzer_its_dependencies_the_build_props_and_depends_on_the_runtime()
    {
        LocalFeed feed = await LocalFeed.Get();
        var package = Package.Open(feed, "Regs.Generator");
        Assert.Equal(new[]
            {
                "README.md",
                "analyzers/dotnet/cs/Regs.Generator.dll",
                "analyzers/dotnet/cs/Regs.Language.dll",
                "analyzers/dotnet/cs/YamlDotNet.dll",
                "build/Regs.Generator.props",
            },
            package.ContentFiles);
        Assert.Contains("**/*.regs.yaml", package.Read("build/Regs.Generator.props"));
        Assert.Equal(new[] { ("", "Regs.Runtime", LocalFeed.Version) }, package.Dependencies);
    }

    [Theory]
    [InlineData("Regs.Igb")]
    [InlineData("Regs.Virtio")]
    public async Task Definition_packages_hold_compiled_accessors_and_depend_only_on_the_runtime(string id)
    {
        LocalFeed feed = await LocalFeed.Get();
        var package = Package.Open(feed, id);
        Assert.Equal(new[]
            {
                "README.md",
                $"lib/net10.0/{id}.dll", $"lib/net10.0/{id}.xml",
                $"lib/net9.0/{id}.dll", $"lib/net9.0/{id}.xml",
            },
            package.ContentFiles);
        // No analyzer and no build props, and the generator is not a dependency: consumers get
        // the compiled accessors and the runtime only.
        Assert.Equal(new[] { ("net10.0", "Regs.Runtime", LocalFeed.Version), ("net9.0", "Regs.Runtime", LocalFeed.Version) },
            package.Dependencies);
    }

    [Theory]
    [InlineData("Regs.Runtime", new string[0])]
    [InlineData("Regs.Runtime.Hosted", new[] { "Regs.Runtime" })]
    [InlineData("Regs.Runtime.Qtest", new[] { "Regs.Runtime.Hosted" })]
    [InlineData("Regs.Runtime.Vfio", new[] { "Regs.Runtime.Hosted" })]
    [InlineData("Regs.Runtime.Models", new[] { "Regs.Net", "Regs.Runtime.Hosted" })]
    [InlineData("Regs.Net", new string[0])]
    [InlineData("Regs.Nic", new[] { "Regs.Net" })]
    [InlineData("Regs.Probes", new[] { "Regs.Nic", "Regs.Runtime" })]
    [InlineData("Regs.Drivers.Igb", new[] { "Regs.Igb", "Regs.Nic" })]
    [InlineData("Regs.Drivers.Virtio", new[] { "Regs.Nic", "Regs.Virtio" })]
    public async Task Runtime_and_driver_packages_hold_their_libraries_for_both_frameworks(string id, string[] dependencies)
    {
        LocalFeed feed = await LocalFeed.Get();
        var package = Package.Open(feed, id);
        Assert.Equal(new[]
            {
                "README.md",
                $"lib/net10.0/{id}.dll", $"lib/net10.0/{id}.xml",
                $"lib/net9.0/{id}.dll", $"lib/net9.0/{id}.xml",
            },
            package.ContentFiles);
        var expected = new List<(string, string, string)>();
        foreach (string tfm in new[] { "net10.0", "net9.0" })
            foreach (string d in dependencies) expected.Add((tfm, d, LocalFeed.Version));
        Assert.Equal(expected, package.Dependencies);
    }

    [Fact]
    public async Task Every_package_has_the_metadata()
    {
        LocalFeed feed = await LocalFeed.Get();
        foreach (string id in LocalFeed.ExpectedPackages)
        {
            var package = Package.Open(feed, id);
            string Meta(string name) => package.Metadata.Element(package.Ns + name)?.Value ?? "";
            Assert.Equal(id, Meta("id"));
            Assert.Equal(LocalFeed.Version, Meta("version"));
            Assert.Equal("Regs contributors", Meta("authors"));
            Assert.False(string.IsNullOrWhiteSpace(Meta("description")), id + ": description");
            Assert.False(string.IsNullOrWhiteSpace(Meta("tags")), id + ": tags");
            Assert.Contains("regs", Meta("tags").Split(' '));
            var license = package.Metadata.Element(package.Ns + "license");
            Assert.Equal("expression", license?.Attribute("type")?.Value);
            Assert.Equal("MIT", license?.Value);
            Assert.Equal("README.md", Meta("readme"));
            Assert.Contains("README.md", package.ContentFiles);
            Assert.Contains("Regs", package.Read("README.md"));
            var repository = package.Metadata.Element(package.Ns + "repository");
            Assert.Equal("git", repository?.Attribute("type")?.Value);
            Assert.Equal("https://github.com/regs-project/regs", repository?.Attribute("url")?.Value);
            Assert.Equal("https://github.com/regs-project/regs", Meta("projectUrl"));
        }
    }

    /// <summary>A .nupkg opened for reading: its files (without the OPC parts) and its nuspec.</summary>
    private sealed class Package
    {
        private readonly string _path;

        private Package(string path, XDocument nuspec, string[] files)
        {
            _path = path;
            Metadata = nuspec.Root!.Elements().First(e => e.Name.LocalName == "metadata");
            Ns = Metadata.Name.Namespace;
            ContentFiles = files;
            Dependencies = Metadata.Element(Ns + "dependencies") is { } deps
                ? deps.Elements(Ns + "group").SelectMany(g => g.Elements(Ns + "dependency").Select(d => (Tfm(g), d)))
                    .Concat(deps.Elements(Ns + "dependency").Select(d => ("", d)))
                    .Select(t => (t.Item1, t.d.Attribute("id")!.Value, t.d.Attribute("version")!.Value))
                    .OrderBy(t => t.Item1, StringComparer.Ordinal).ThenBy(t => t.Item2, StringComparer.Ordinal).ToArray()
                : Array.Empty<(string, string, string)>();
        }

        public XElement Metadata { get; }
        public XNamespace Ns { get; }
        public string[] ContentFiles { get; }
        public (string Tfm, string Id, string Version)[] Dependencies { get; }

        public static Package Open(LocalFeed feed, string id)
        {
            string path = Path.Combine(feed.FeedDirectory, $"{id}.{LocalFeed.Version}.nupkg");
            Assert.True(File.Exists(path), path + " missing");
            using ZipArchive zip = ZipFile.OpenRead(path);
            string[] files = zip.Entries.Select(e => e.FullName)
                .Where(n => !n.StartsWith("_rels/", StringComparison.Ordinal) && !n.StartsWith("package/", StringComparison.Ordinal)
                    && n != "[Content_Types].xml" && !n.EndsWith(".nuspec", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal).ToArray();
            using Stream nuspec = zip.GetEntry(id + ".nuspec")!.Open();
            return new Package(path, XDocument.Load(nuspec), files);
        }

        public string Read(string entry)
        {
            using ZipArchive zip = ZipFile.OpenRead(_path);
            using var reader = new StreamReader(zip.GetEntry(entry)!.Open());
            return reader.ReadToEnd();
        }

        private static string Tfm(XElement group) => group.Attribute("targetFramework")?.Value switch
        {
            "net10.0" or ".NETCoreApp10.0" => "net10.0",
            "net9.0" or ".NETCoreApp9.0" => "net9.0",
            var other => other ?? "",
        };
    }
}
