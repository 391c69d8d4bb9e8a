using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Regs.Language;
using Regs.Language.Model;

namespace Regs.Docs.Tests;

/// <summary>Where the repository's files are, and the shipped and fixture models.</summary>
internal static class TestPaths
{
    public static string Root { get; } = FindRoot();

    public static string Defs => Path.Combine(Root, "defs");

    public static string Fixtures => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    private static string FindRoot()
    {
        for (string? dir = AppContext.BaseDirectory; dir != null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "Regs.sln"))) return dir;
        throw new InvalidOperationException("Regs.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Parses and checks every *.regs.yaml under <paramref name="dir"/>; fails on any diagnostic.</summary>
    public static List<FileModel> Load(string dir)
    {
        var inputs = Directory.EnumerateFiles(dir, "*" + RegsLanguage.FileSuffix, SearchOption.AllDirectories)
            .Where(p => !Path.GetRelativePath(dir, p).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (p, File.ReadAllText(p))).ToList();
        if (inputs.Count == 0) throw new InvalidOperationException("no register files under " + dir);
        var (models, diagnostics) = RegsLanguage.Check(inputs);
        if (diagnostics.Count > 0)
            throw new InvalidOperationException("register files have errors:\n" + string.Join("\n", diagnostics));
        return models;
    }

    /// <summary>A fresh empty directory under the system temp folder.</summary>
    public static string TempDir(string name)
    {
        string dir = Path.Combine(Path.GetTempPath(), "regs-docs-tests", name + "-" + Guid.NewGuid().ToString("N").Substring(0, 8));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
