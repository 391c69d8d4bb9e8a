using System.Globalization;

namespace Regs.Language.Validation;

/// <summary>Whether a name can be a C# identifier as written.</summary>
public static class Identifiers
{
    private static readonly string[] Keywords =
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    };

    /// <summary>Null if <paramref name="name"/> is a usable identifier, else why not.</summary>
    public static string? Problem(string name)
    {
        if (name.Length == 0) return "it is empty";
        if (name.Length > 256) return "it is longer than 256 characters";
        if (System.Array.IndexOf(Keywords, name) >= 0) return "it is a C# keyword";
        if (name.StartsWith("__", System.StringComparison.Ordinal)) return "names starting with '__' are reserved for generated code";
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            UnicodeCategory cat = CharUnicodeInfo.GetUnicodeCategory(c);
            bool letter = c == '_' || cat is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
                or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.LetterNumber;
            bool part = letter || cat is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
            if (i == 0 ? !letter : !part)
                return i == 0 ? "it must start with a letter or '_'" : $"'{c}' is not allowed in a name";
        }
        return null;
    }

    /// <summary>A dotted namespace: each part an identifier.</summary>
    public static string? NamespaceProblem(string ns)
    {
        foreach (string part in ns.Split('.'))
        {
            string? p = Problem(part);
            if (p != null) return $"part '{part}': {p}";
        }
        return null;
    }
}
