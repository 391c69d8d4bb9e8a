using System.Globalization;

namespace Regs.Language.Reading;

/// <summary>Numbers as the language writes them: 42, 0x2A, 0b101010, with optional '_' separators.</summary>
public static class Numbers
{
    public enum Result { Ok, NotANumber, TooLarge }

    public static Result TryParse(string text, out ulong value)
    {
        value = 0;
        string t = text.Replace("_", "").Trim();
        if (t.Length == 0) return Result.NotANumber;
        int radix = 10;
        if (t.StartsWith("0x") || t.StartsWith("0X")) { radix = 16; t = t.Substring(2); }
        else if (t.StartsWith("0b") || t.StartsWith("0B")) { radix = 2; t = t.Substring(2); }
        if (t.Length == 0) return Result.NotANumber;
        foreach (char c in t)
        {
            int digit = c >= '0' && c <= '9' ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
            if (digit >= radix) return Result.NotANumber;
            if (value > (ulong.MaxValue - (ulong)digit) / (ulong)radix) return Result.TooLarge;
            value = value * (ulong)radix + (ulong)digit;
        }
        return Result.Ok;
    }

    public static string Hex(ulong value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture);
}
