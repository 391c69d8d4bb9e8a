using System;
using System.Collections.Generic;
using System.IO;
using Regs.Language.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Regs.Language.Yaml;

/// <summary>
/// Builds a <see cref="YNode"/> tree from YAML parser events, keeping every node's location.
/// Rejects what the language has no use for and what could blow up: anchors and aliases
/// (alias expansion bombs), duplicate keys, non-scalar keys, nesting deeper than
/// <see cref="MaxDepth"/>, more than one document.
/// </summary>
public sealed class YamlTreeReader
{
    public const int MaxDepth = 32;

    private readonly IParser _parser;
    private readonly List<RegsDiagnostic> _diagnostics;
    private readonly string _path;
    private readonly string _text;

    private YamlTreeReader(string path, string text, List<RegsDiagnostic> diagnostics)
    {
        _path = path;
        _text = text;
        _parser = new GuardedParser(new Parser(new StringReader(text)));
        _diagnostics = diagnostics;
    }

    /// <summary>Reads the single document of <paramref name="text"/>; null if it is empty or broken.</summary>
    public static YNode? Read(string path, string text, List<RegsDiagnostic> diagnostics)
    {
        var reader = new YamlTreeReader(path, text, diagnostics);
        try
        {
            return reader.ReadStream();
        }
        catch (YamlException e)
        {
            diagnostics.Add(Diagnostics.YamlSyntax(path, reader.ToLoc(e.Start, e.End), Describe(e)));
            return null;
        }
        catch (AbortException)
        {
            return null;
        }
    }

    private static string Describe(YamlException e)
    {
        string message = e.InnerException is YamlException inner ? inner.Message : e.Message;
        // YamlDotNet prefixes "(Line: l, Col: c, Idx: i) - (...): "; the location is reported separately.
        int cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 && message.StartsWith("(Line", StringComparison.Ordinal) ? message.Substring(cut + 3) : message;
    }

    private sealed class AbortException : Exception { }

    private YNode? ReadStream()
    {
        _parser.Consume<StreamStart>();
        if (_parser.TryConsume<StreamEnd>(out _))
            return null;
        _parser.Consume<DocumentStart>();
        YNode root = ReadNode(0);
        _parser.Consume<DocumentEnd>();
        if (_parser.Accept<DocumentStart>(out var second))
        {
            _diagnostics.Add(Diagnostics.YamlSyntax(_path, ToLoc(second.Start, second.End),
                "a file holds one YAML document; remove the second '---' and what follows or move it to its own file"));
            return null;
        }
        return root;
    }

    private YNode ReadNode(int depth)
    {
        ParsingEvent ev = _parser.Current ?? throw new AbortException();
        if (depth > MaxDepth)
            Fail(ev, Diagnostics.TooDeep(_path, ToLoc(ev.Start, ev.End), MaxDepth));
        if (ev is AnchorAlias alias)
            Fail(ev, Diagnostics.AliasNotSupported(_path, ToLoc(alias.Start, alias.End)));
        if (ev is NodeEvent node && !node.Anchor.IsEmpty)
            Fail(ev, Diagnostics.AliasNotSupported(_path, ToLoc(node.Start, node.End)));

        switch (ev)
        {
            case Scalar scalar:
                _parser.MoveNext();
                return new YScalar(ToLoc(scalar.Start, scalar.End), scalar.Value,
                    scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded);
            case SequenceStart seq:
            {
                _parser.MoveNext();
                var items = new List<YNode>();
                while (!_parser.TryConsume<SequenceEnd>(out _))
                    items.Add(ReadNode(depth + 1));
                return new YSequence(ToLoc(seq.Start, seq.End), items);
            }
            case MappingStart map:
            {
                _parser.MoveNext();
                var entries = new List<KeyValuePair<YScalar, YNode>>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (!_parser.TryConsume<MappingEnd>(out _))
                {
                    YNode key = ReadNode(depth + 1);
                    if (key is not YScalar keyScalar)
                    {
                        Fail(null, Diagnostics.WrongType(_path, key.Loc, "a key", "a plain word", key.KindName));
                        return null!;
                    }
                    YNode value = ReadNode(depth + 1);
                    if (!seen.Add(keyScalar.Value))
                        _diagnostics.Add(Diagnostics.DuplicateKey(_path, keyScalar.Loc, keyScalar.Value));
                    else
                        entries.Add(new KeyValuePair<YScalar, YNode>(keyScalar, value));
                }
                return new YMap(ToLoc(map.Start, map.End), entries);
            }
            default:
                Fail(ev, Diagnostics.YamlSyntax(_path, ToLoc(ev.Start, ev.End), $"unexpected {ev.GetType().Name}"));
                return null!;
        }
    }

    private void Fail(ParsingEvent? ev, RegsDiagnostic diagnostic)
    {
        _diagnostics.Add(diagnostic);
        throw new AbortException();
    }

    private Loc ToLoc(Mark start, Mark end)
    {
        int s = (int)Math.Min(Math.Max(0, start.Index), _text.Length), e = (int)Math.Min(Math.Max(s, end.Index), _text.Length);
        // At the end of a file without a final line break YamlDotNet names the line after the last.
        if (s == _text.Length) return TextChecks.At(_text, s, 0);
        // YamlDotNet marks are 1-based; Roslyn and MSBuild want 0-based positions.
        int line = (int)Math.Max(0, start.Line - 1), col = (int)Math.Max(0, start.Column - 1);
        int endLine = (int)Math.Max(0, end.Line - 1), endCol = (int)Math.Max(0, end.Column - 1);
        return new Loc(line, col, endLine, endCol, s, e);
    }
}
