using System.Collections.Generic;
using Regs.Language.Model;

namespace Regs.Docs;

// A small document tree built once from the model and rendered twice (Markdown and HTML), so
// that both formats always carry the same content.

/// <summary>A piece of running text.</summary>
internal abstract record Inline;

/// <summary>Plain text; escaped by the renderer.</summary>
internal sealed record Text(string Value) : Inline;

/// <summary>Monospace text (offsets, values, names).</summary>
internal sealed record Code(string Value) : Inline;

/// <summary>Bold text.</summary>
internal sealed record Strong(string Value) : Inline;

/// <summary>An access-kind badge (<c>rw</c>, <c>w1c</c>, ...).</summary>
internal sealed record AccessBadge(Access Access) : Inline;

/// <summary>A line break inside a paragraph or table cell.</summary>
internal sealed record Break : Inline;

/// <summary>A link to an anchor, on this page (<paramref name="Page"/> null) or on another page (its stem).</summary>
internal sealed record Link(IReadOnlyList<Inline> Content, string? Page, string Anchor) : Inline;

/// <summary>Where a definition is documented.</summary>
internal sealed record Target(string Page, string Anchor);

/// <summary>A block-level element of a page.</summary>
internal abstract record Node;

/// <summary>A heading; <paramref name="Anchor"/> is its stable id.</summary>
internal sealed record Heading(int Level, string? Anchor, IReadOnlyList<Inline> Content) : Node;

/// <summary>A paragraph.</summary>
internal sealed record Para(IReadOnlyList<Inline> Content) : Node;

/// <summary>A bulleted list.</summary>
internal sealed record Bullets(IReadOnlyList<IReadOnlyList<Inline>> Items) : Node;

/// <summary>A table; <paramref name="Kind"/> becomes the HTML class.</summary>
internal sealed record Table(string Kind, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<IReadOnlyList<Inline>>> Rows) : Node;

/// <summary>A bit-field picture: written to <paramref name="RelativePath"/> (from the output root) and inlined in HTML.</summary>
internal sealed record Picture(string RelativePath, string Alt, string Svg) : Node;

/// <summary>One output page: <c>Stem.md</c> and <c>Stem.html</c>.</summary>
internal sealed class Page
{
    public Page(string stem, string title)
    {
        Stem = stem;
        Title = title;
    }

    public string Stem { get; }
    public string Title { get; }
    public List<Node> Nodes { get; } = new();
    public List<Picture> Pictures { get; } = new();

    public void Add(Node node)
    {
        Nodes.Add(node);
        if (node is Picture p) Pictures.Add(p);
    }
}
