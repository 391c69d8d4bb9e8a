using System;
using System.IO;

namespace Regs.Generator.Tests;

/// <summary>Where the repository's files are, found from the test assembly's folder.</summary>
internal static class TestPaths
{
    public static string Root { get; } = FindRoot();

    public static string Defs => Path.Combine(Root, "defs");
    public static string Tests => Path.Combine(Root, "tests", "Regs.Generator.Tests");

    private static string FindRoot()
    {
        for (string? dir = AppContext.BaseDirectory; dir != null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "Regs.sln"))) return dir;
        throw new InvalidOperationException("Regs.sln not found above " + AppContext.BaseDirectory);
    }
}
