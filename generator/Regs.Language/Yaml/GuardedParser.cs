using System;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Regs.Language.Yaml;

/// <summary>
/// YamlDotNet's parser, with every failure turned into a <see cref="YamlException"/>. Its scanner
/// (16.3) throws InvalidOperationException on some malformed input, for example a plain scalar
/// broken across lines inside a flow mapping in a block sequence ("- { do\nc: 1 }"); such a
/// failure is reported at the end of the last event that was read, where the damage starts.
/// </summary>
internal sealed class GuardedParser : IParser
{
    private readonly IParser _inner;

    public GuardedParser(IParser inner) { _inner = inner; }

    public ParsingEvent? Current => _inner.Current;

    public bool MoveNext()
    {
        Mark at = _inner.Current?.End ?? Mark.Empty;
        try
        {
            return _inner.MoveNext();
        }
        catch (Exception e) when (e is not YamlException and (InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException or FormatException or OverflowException))
        {
            throw new YamlException(at, at, "the YAML reader could not continue after this point; check the quoting, brackets and line breaks that follow", e);
        }
    }
}
