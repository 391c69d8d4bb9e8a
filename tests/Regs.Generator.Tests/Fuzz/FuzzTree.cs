using System.Collections.Generic;
using System.Linq;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Regs.Generator.Tests.Fuzz;

/// <summary>
/// A mutable YAML tree for structure-aware mutation. Unlike YamlDotNet's representation model it
/// allows duplicate keys and any node anywhere, and it writes itself back as block-style YAML.
/// </summary>
internal abstract class FNode
{
    public abstract FNode Clone();

    public static FNode Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return From(stream.Documents[0].RootNode);
    }

    private static FNode From(YamlNode node) => node switch
    {
        YamlScalarNode s => new FScalar(s.Value ?? ""),
        YamlSequenceNode q => new FSeq(q.Children.Select(From).ToList()),
        YamlMappingNode m => new FMap(m.Children.Select(e => new FEntry(((YamlScalarNode)e.Key).Value ?? "", From(e.Value))).ToList()),
        _ => new FScalar(""),
    };

    /// <summary>Every node of the tree, depth first, this one included.</summary>
    public IEnumerable<FNode> All()
    {
        yield return this;
        IEnumerable<FNode> children = this switch
        {
            FMap m => m.Entries.Select(e => e.Value),
            FSeq s => s.Items,
            _ => Enumerable.Empty<FNode>(),
        };
        foreach (FNode c in children.ToList())
            foreach (FNode n in c.All())
                yield return n;
    }

    public string Write()
    {
        var sb = new StringBuilder();
        switch (this)
        {
            case FScalar s: sb.Append(Scalar(s.Value)).Append('\n'); break;
            case FMap { Entries.Count: 0 }: sb.Append("{}\n"); break;
            case FSeq { Items.Count: 0 }: sb.Append("[]\n"); break;
            default: WriteBlock(sb, this, 0); break;
        }
        return sb.ToString();
    }

    private static void WriteBlock(StringBuilder sb, FNode node, int indent)
    {
        if (node is FMap m)
            foreach (FEntry e in m.Entries)
            {
                sb.Append(' ', indent).Append(Scalar(e.Key)).Append(':');
                WriteValue(sb, e.Value, indent);
            }
        else if (node is FSeq q)
            foreach (FNode item in q.Items)
            {
                sb.Append(' ', indent).Append('-');
                WriteValue(sb, item, indent);
            }
    }

    private static void WriteValue(StringBuilder sb, FNode value, int indent)
    {
        switch (value)
        {
            case FScalar s: sb.Append(' ').Append(Scalar(s.Value)).Append('\n'); return;
            case FMap { Entries.Count: 0 }: sb.Append(" {}\n"); return;
            case FSeq { Items.Count: 0 }: sb.Append(" []\n"); return;
            default: sb.Append('\n'); WriteBlock(sb, value, indent + 2); return;
        }
    }

    private static readonly Regex Plain = new("^[A-Za-z0-9_.+~][A-Za-z0-9_.+~-]*$", RegexOptions.CultureInvariant);

    /// <summary>Plain when it is a simple word, else double-quoted with escapes, so any string survives.</summary>
    private static string Scalar(string value)
    {
        if (Plain.IsMatch(value)) return value;
        var sb = new StringBuilder("\"");
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c is '\u2028' or '\u2029' or '\uFEFF' || char.IsSurrogate(c))
                        sb.Append("\\u").Append(((int)c).ToString("X4"));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}

internal sealed class FScalar : FNode
{
    public FScalar(string value) { Value = value; }
    public string Value { get; set; }
    public override FNode Clone() => new FScalar(Value);
}

internal sealed class FSeq : FNode
{
    public FSeq(List<FNode> items) { Items = items; }
    public List<FNode> Items { get; }
    public override FNode Clone() => new FSeq(Items.Select(i => i.Clone()).ToList());
}

internal sealed class FEntry
{
    public FEntry(string key, FNode value) { Key = key; Value = value; }
    public string Key { get; set; }
    public FNode Value { get; set; }
}

internal sealed class FMap : FNode
{
    public FMap(List<FEntry> entries) { Entries = entries; }
    public List<FEntry> Entries { get; }
    public override FNode Clone() => new FMap(Entries.Select(e => new FEntry(e.Key, e.Value.Clone())).ToList());
}
