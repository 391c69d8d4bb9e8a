using System;

namespace Regs.Runtime;

/// <summary>
/// Builds one log line in a caller-provided buffer (usually stackalloc) without allocating or
/// formatting through the BCL, so drivers can log on bare metal. Text that does not fit is cut.
/// </summary>
public ref struct LogLine
{
    private readonly Span<byte> _buffer;
    private int _length;

    /// <summary>A line built in <paramref name="buffer"/>.</summary>
    public LogLine(Span<byte> buffer) { _buffer = buffer; _length = 0; }

    /// <summary>The text so far.</summary>
    public readonly ReadOnlySpan<byte> Text => _buffer.Slice(0, _length);

    /// <summary>Appends UTF-8 text.</summary>
    public void Add(ReadOnlySpan<byte> utf8)
    {
        for (int i = 0; i < utf8.Length && _length < _buffer.Length; i++) _buffer[_length++] = utf8[i];
    }

    /// <summary>Appends an unsigned decimal number.</summary>
    public void Dec(ulong value)
    {
        Span<byte> digits = stackalloc byte[20];
        int n = 0;
        do { digits[n++] = (byte)('0' + (int)(value % 10)); value /= 10; } while (value != 0);
        while (n > 0 && _length < _buffer.Length) _buffer[_length++] = digits[--n];
    }

    /// <summary>Appends 0x and <paramref name="digits"/> hexadecimal digits.</summary>
    public void Hex(ulong value, int digits = 8)
    {
        Add("0x"u8);
        HexDigits(value, digits);
    }

    /// <summary>Appends exactly <paramref name="digits"/> lowercase hexadecimal digits, no prefix.</summary>
    public void HexDigits(ulong value, int digits)
    {
        for (int shift = (digits - 1) * 4; shift >= 0 && _length < _buffer.Length; shift -= 4)
            _buffer[_length++] = (byte)"0123456789abcdef"u8[(int)((value >> shift) & 0xF)];
    }
}
