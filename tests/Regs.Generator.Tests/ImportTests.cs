using System.Linq;
using Regs.Language;
using Xunit;

namespace Regs.Generator.Tests;

/// <summary>`imports:` names namespaces, which are dotted (defs/README.md: `imports: [Regs.Virtio]`).</summary>
[Trait("Category", "Generator")]
public sealed class ImportTests
{
    private const string Common = """
        namespace: Acme.Common
        enums:
          - name: Mode
            width: 8
            values: [ { name: Off, value: 0 }, { name: On, value: 1 } ]
        """;

    [Fact]
    public void A_dotted_namespace_can_be_imported_and_its_enum_used()
    {
        const string device = """
            namespace: Acme.Device
            imports: [Acme.Common]
            blocks:
              - name: Dev
                registers:
                  - { name: CTRL, offset: 0, fields: [ { name: MODE, bits: "1:0", enum: Mode } ] }
            """;
        var (models, diagnostics) = RegsLanguage.Check(new[] { ("common.regs.yaml", Common), ("device.regs.yaml", device) });
        Assert.Empty(diagnostics);
        Assert.Equal(new[] { "Acme.Common" }, models.Single(m => m.Namespace == "Acme.Device").Imports.ToArray());
    }

    [Fact]
    public void An_import_that_is_not_a_namespace_is_still_an_error_at_its_place()
    {
        const string device = """
            namespace: Acme.Device
            imports: [Acme..Common]
            blocks: []
            """;
        var (_, diagnostics) = RegsLanguage.Check(new[] { ("device.regs.yaml", device) });
        var error = Assert.Single(diagnostics, d => d.Id == "REGS006");
        Assert.Equal(1, error.Loc.Line);          // zero-based: the second line
    }
}
