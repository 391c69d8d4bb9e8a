using System.Linq;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Generator.Tests;

/// <summary>
/// Generated size is deterministic, so it is asserted here (time is measured by benchmarks,
/// never by unit tests). Compiling generated code is the real cost of large maps; chiptool's
/// RP2040 output is about 245 bytes of C-like source per field, svd2rust's about 630.
/// </summary>
[Trait("Category", "Generator")]
public sealed class SizeTests
{
    private readonly ITestOutputHelper _out;
    public SizeTests(ITestOutputHelper output) { _out = output; }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GeneratedCodeIsSmallerPerFieldThanChiptool(bool docs)
    {
        const int registers = 1000, fields = 8;
        var result = GeneratorHarness.Run(SyntheticMap.Build(registers, fields, docs));
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileDiagnostics);
        long bytes = Encoding.UTF8.GetByteCount(result.Sources.Single());
        double perField = (double)bytes / (registers * fields);
        _out.WriteLine($"{registers} registers x {fields} fields, docs={docs}: {bytes} bytes, {perField:F0} bytes per field");
        Assert.True(perField < 245, $"{perField:F0} bytes per field");
    }
}
