using System.Globalization;

namespace Regs.Generator.Emit;

/// <summary>How numbers are written in generated code.</summary>
internal static class Literals
{
    public static string Hex(ulong value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture);

    /// <summary>A hex literal of C# type <paramref name="csType"/>: 0x1u, 0x1UL, (byte)0x1.</summary>
    public static string Typed(ulong value, string csType) => csType switch
    {
        "ulong" => Hex(value) + "UL",
        "uint" => Hex(value) + "u",
        _ => $"({csType}){Hex(value)}",
    };
}
