using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Regs.Testing.Generator;

/// <summary>An in-memory YAML file handed to the generator as an AdditionalFiles item.</summary>
public sealed class InMemoryText : AdditionalText
{
    private readonly SourceText _text;

    /// <summary>A file at <paramref name="path"/> holding <paramref name="text"/>.</summary>
    public InMemoryText(string path, string text) { Path = path; _text = SourceText.From(text); }

    /// <inheritdoc/>
    public override string Path { get; }

    /// <inheritdoc/>
    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}
