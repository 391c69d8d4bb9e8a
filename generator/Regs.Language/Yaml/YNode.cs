using System.Collections.Generic;
using Regs.Language.Model;

namespace Regs.Language.Yaml;

/// <summary>A YAML node with its location. Only what the language needs: maps, sequences, scalars.</summary>
public abstract class YNode
{
    protected YNode(Loc loc) { Loc = loc; }
    public Loc Loc { get; }
    public abstract string KindName { get; }
}

public sealed class YScalar : YNode
{
    public YScalar(Loc loc, string value, bool quoted) : base(loc) { Value = value; Quoted = quoted; }
    public string Value { get; }
    public bool Quoted { get; }
    public override string KindName => "a scalar";
}

public sealed class YSequence : YNode
{
    public YSequence(Loc loc, List<YNode> items) : base(loc) { Items = items; }
    public List<YNode> Items { get; }
    public override string KindName => "a list";
}

public sealed class YMap : YNode
{
    public YMap(Loc loc, List<KeyValuePair<YScalar, YNode>> entries) : base(loc) { Entries = entries; }
    /// <summary>Entries in source order; keys are unique (the reader rejects duplicates).</summary>
    public List<KeyValuePair<YScalar, YNode>> Entries { get; }
    public override string KindName => "a mapping";
}
