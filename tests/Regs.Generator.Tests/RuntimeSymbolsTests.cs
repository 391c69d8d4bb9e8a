using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Regs.Language;
using Regs.Runtime;
using Regs.Tests.Device;
using Xunit;

namespace Regs.Generator.Tests;

/// <summary>
/// The runtime names generated code uses are the ones listed in RuntimeSymbols, and each exists
/// in Regs.Runtime: renaming one there fails here, not in a user's build.
/// </summary>
[Trait("Category", "Generator")]
public sealed class RuntimeSymbolsTests
{
    private static readonly Assembly Runtime = typeof(IRegisterAccess<>).Assembly;

    private static List<T> Listed<T>() => typeof(RuntimeSymbols).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(T)).Select(f => (T)f.GetValue(null)!).ToList();

    [Fact]
    public void EveryListedTypeIsAPublicRuntimeTypeWithThatManyTypeParameters()
    {
        List<RuntimeType> types = Listed<RuntimeType>();
        Assert.True(types.Count >= 30, $"only {types.Count} types found by reflection");
        Assert.All(types, t =>
        {
            Type? found = Runtime.GetType(t.MetadataName);
            Assert.True(found is { IsPublic: true }, $"Regs.Runtime has no public {t.MetadataName}");
            Assert.Equal(t.Arity, found!.GetGenericArguments().Length);
        });
    }

    [Fact]
    public void EveryListedMemberExistsOnItsTypeAndIsStaticWhereWrittenThroughTheType()
    {
        List<RuntimeMember> members = Listed<RuntimeMember>();
        Assert.True(members.Count >= 20, $"only {members.Count} members found by reflection");
        Assert.All(members, m =>
        {
            Type owner = Runtime.GetType(m.Owner.MetadataName)!;
            MemberInfo[] found = owner.GetMember(m.Name, BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance);
            Assert.True(found.Length > 0, $"{m.Owner.MetadataName} has no public {m.Name}");
            if (m.Text != m.Name)
            {
                Assert.Equal($"{m.Owner.Name}.{m.Name}", m.Text);
                Assert.All(found, f => Assert.True(f is FieldInfo { IsStatic: true } or MethodInfo { IsStatic: true }, $"{m.Text} is not static"));
            }
        });
    }

    private static int FormatOf<T>() where T : struct, IRegisterValue<T> => T.Format;

    [Fact]
    public void TheFormatFlagsAreRuntimeConstantsAndTheGeneratedFormatIsWhatTheRuntimeDecodes()
    {
        foreach (RuntimeMember flag in new[] { RuntimeSymbols.BigEndian, RuntimeSymbols.HighFirst })
            Assert.True(typeof(RegisterFormat).GetField(flag.Name)!.IsLiteral, $"{flag.Text} must stay a const so Format folds");
        Assert.Equal(32, FormatOf<Dev.Ctrl>());
        Assert.Equal(32 | RegisterFormat.BigEndian, FormatOf<Dev.Big>());
        Assert.Equal(64 | RegisterFormat.HighFirst, FormatOf<Dev.Wide>());
        Assert.Equal(64, FormatOf<Dev.Wide>() & RegisterFormat.WidthMask);
    }

    [Fact]
    public void GeneratedCodeNamesNoRuntimeTypeOrMemberOutsideTheList()
    {
        var files = new[] { Path.Combine(TestPaths.Tests, "Yaml"), Path.Combine(TestPaths.Defs, "igb"), Path.Combine(TestPaths.Defs, "virtio"), Path.Combine(TestPaths.Defs, "uart") }
            .SelectMany(d => Directory.GetFiles(d, "*" + RegsLanguage.FileSuffix))
            .Select(f => ("/src/" + Path.GetFileName(f), File.ReadAllText(f))).ToArray();
        var result = GeneratorHarness.Run(files);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));

        var typeNames = Listed<RuntimeType>().Select(t => t.Name).ToHashSet();
        var memberNames = Listed<RuntimeMember>().Select(m => m.Name).ToHashSet();
        var used = new HashSet<string>();
        foreach (SyntaxTree tree in result.Output.SyntaxTrees.Where(t => t.FilePath.EndsWith(".regs.g.cs", StringComparison.Ordinal)))
        {
            SemanticModel model = result.Output.GetSemanticModel(tree);
            foreach (SimpleNameSyntax name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
            {
                ISymbol? symbol = model.GetSymbolInfo(name).Symbol;
                if (symbol is null or INamespaceSymbol || symbol.ContainingAssembly?.Name != "Regs.Runtime") continue;
                if (symbol is INamedTypeSymbol type)
                {
                    Assert.True(typeNames.Contains(type.Name), $"generated code uses {type.Name}, which RuntimeSymbols does not list");
                    used.Add(type.Name);
                }
                else
                {
                    Assert.True(typeNames.Contains(symbol.ContainingType.Name) && memberNames.Contains(symbol.Name),
                        $"generated code uses {symbol.ContainingType.Name}.{symbol.Name}, which RuntimeSymbols does not list");
                    used.Add($"{symbol.ContainingType.Name}.{symbol.Name}");
                }
            }
        }
        Assert.Contains("Bit.Get", used);
        Assert.Contains("IRegisterValue", used);
        Assert.Contains("RegisterFormat.BigEndian", used);
    }
}
