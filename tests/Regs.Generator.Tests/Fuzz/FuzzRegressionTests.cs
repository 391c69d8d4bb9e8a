using System.Collections.Generic;
using System.IO;
using System.Linq;
using Regs.Language;
using Xunit;

namespace Regs.Generator.Tests.Fuzz;

/// <summary>
/// Every input the fuzzer broke something with, reduced by hand, in Regressions/. The first line
/// says what must happen: "# expect: REGSnnn" (rejected with that diagnostic) or "# expect: accepted".
/// Each also goes through the full oracle: no exception, located diagnostics, compiling output.
/// </summary>
[Trait("Category", "Fuzz")]
[Collection("Fuzz")]
public sealed class FuzzRegressionTests
{
    private static string Folder => Path.Combine(TestPaths.Tests, "Fuzz", "Regressions");

    public static IEnumerable<object[]> Files()
        => Directory.GetFiles(Folder, "*.yaml").OrderBy(f => f, System.StringComparer.Ordinal).Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(Files))]
    public void StaysFixed(string file)
    {
        // As the regs tool and the compiler read files: bytes decoded leniently as UTF-8.
        string text = File.ReadAllText(Path.Combine(Folder, file));
        string expect = text.Split('\n')[0].Replace("# expect:", "").Trim();
        string path = "/regressions/" + Path.GetFileNameWithoutExtension(file) + RegsLanguage.FileSuffix;
        FuzzOracle.Outcome outcome = FuzzOracle.Run(file, new FuzzCorpus.Seed(path, text, null!, new List<(string, string)>()), text, compile: true);
        var (_, diagnostics) = RegsLanguage.Check(new[] { (path, text) });
        if (expect == "accepted")
        {
            Assert.False(outcome.Rejected, string.Join("\n", diagnostics));
            Assert.True(outcome.Compiled);
        }
        else
            Assert.Contains(diagnostics, d => d.Id == expect);
    }
}
