using Regs.Language.Model;

namespace Regs.Language;

/// <summary>
/// Every diagnostic the language and the source generator report: the one table of IDs, titles
/// and messages (defs/README.md#diagnostics lists the same IDs; a test keeps them in step).
/// IDs are stable: tools and users may depend on them. Messages say what is wrong and what to change.
/// </summary>
public static class Diagnostics
{
    public const string YamlSyntaxId = "REGS001";
    public const string UnknownKeyId = "REGS002";
    public const string WrongTypeId = "REGS003";
    public const string MissingKeyId = "REGS004";
    public const string DuplicateNameId = "REGS005";
    public const string InvalidIdentifierId = "REGS006";
    public const string FieldOverlapId = "REGS007";
    public const string FieldOutsideId = "REGS008";
    public const string RegisterOverlapId = "REGS009";
    public const string ValueTooLargeId = "REGS010";
    public const string StrideTooSmallId = "REGS011";
    public const string AccessConflictId = "REGS012";
    public const string UnknownReferenceId = "REGS013";
    public const string InvalidValueId = "REGS014";
    public const string DuplicateKeyId = "REGS015";
    public const string AliasId = "REGS016";
    public const string NameClashId = "REGS017";
    public const string LimitId = "REGS018";
    public const string InvalidStructureId = "REGS019";
    /// <summary>Reported by the source generator only: about the compilation, not about a file's text.</summary>
    public const string MissingRuntimeId = "REGS020";
    public const string SideEffectConflictId = "REGS021";

    /// <summary>Titles per ID, for the generator's descriptors and the documentation.</summary>
    public static readonly (string Id, string Title)[] All =
    {
        (YamlSyntaxId, "YAML syntax error"),
        (UnknownKeyId, "Unknown key"),
        (WrongTypeId, "Value of the wrong type"),
        (MissingKeyId, "Required key missing"),
        (DuplicateNameId, "Duplicate name"),
        (InvalidIdentifierId, "Name is not a C# identifier"),
        (FieldOverlapId, "Fields overlap"),
        (FieldOutsideId, "Field outside its register"),
        (RegisterOverlapId, "Registers overlap"),
        (ValueTooLargeId, "Value does not fit"),
        (StrideTooSmallId, "Array stride smaller than its element"),
        (AccessConflictId, "Conflicting access kinds"),
        (UnknownReferenceId, "Unknown name"),
        (InvalidValueId, "Invalid value"),
        (DuplicateKeyId, "Duplicate key"),
        (AliasId, "YAML anchors and aliases are not supported"),
        (NameClashId, "Name clashes with a generated member"),
        (LimitId, "Input exceeds a limit"),
        (InvalidStructureId, "Invalid combination of keys"),
        (MissingRuntimeId, "Regs.Runtime is not referenced"),
        (SideEffectConflictId, "Impossible side effect"),
    };

    private static RegsDiagnostic D(string id, string path, Loc loc, string message) => new(id, message, path, loc);

    public static RegsDiagnostic YamlSyntax(string path, Loc loc, string detail) => D(YamlSyntaxId, path, loc, $"YAML syntax error: {detail}");
    public static RegsDiagnostic UnknownKey(string path, Loc loc, string key, string where, string? suggestion, string known)
        => D(UnknownKeyId, path, loc, suggestion != null
            ? $"unknown key '{key}' in {where}; did you mean '{suggestion}'?"
            : $"unknown key '{key}' in {where}; expected one of: {known}");
    public static RegsDiagnostic WrongType(string path, Loc loc, string what, string expected, string got)
        => D(WrongTypeId, path, loc, $"{what} must be {expected}, not {got}");
    public static RegsDiagnostic MissingKey(string path, Loc loc, string key, string where)
        => D(MissingKeyId, path, loc, $"{where} needs the key '{key}'");
    public static RegsDiagnostic DuplicateName(string path, Loc loc, string kind, string name, string scope)
        => D(DuplicateNameId, path, loc, $"{kind} '{name}' is already defined in {scope}; rename one of them");
    public static RegsDiagnostic InvalidIdentifier(string path, Loc loc, string name, string why)
        => D(InvalidIdentifierId, path, loc, $"'{name}' cannot be a C# name: {why}");
    public static RegsDiagnostic FieldOverlap(string path, Loc loc, string field, string other, string register)
        => D(FieldOverlapId, path, loc, $"field '{field}' overlaps field '{other}' in '{register}'; fix the bit ranges");
    public static RegsDiagnostic FieldOutside(string path, Loc loc, string field, int hi, int width, string register)
        => D(FieldOutsideId, path, loc, $"field '{field}' reaches bit {hi} but '{register}' is only {width} bits wide");
    public static RegsDiagnostic RegisterOverlap(string path, Loc loc, string a, ulong at, string b)
        => D(RegisterOverlapId, path, loc, $"'{a}' overlaps '{b}' at offset 0x{at:X}; move one, or declare 'alias_of: {b}' if both name the same address");
    public static RegsDiagnostic ValueTooLarge(string path, Loc loc, string what, ulong value, int bits)
        => D(ValueTooLargeId, path, loc, $"{what} 0x{value:X} does not fit in {bits} bits");
    public static RegsDiagnostic MemberBeyondSize(string path, Loc loc, string member, ulong end, ulong size)
        => D(ValueTooLargeId, path, loc, $"member '{member}' ends at byte {end}, beyond the layout's size {size}");
    public static RegsDiagnostic MemberOverlap(string path, Loc loc, string member, ulong at, string other)
        => D(RegisterOverlapId, path, loc, $"member '{member}' overlaps '{other}' at byte {at}; move one, or put alternative formats in separate 'views'");
    public static RegsDiagnostic StrideTooSmall(string path, Loc loc, string name, ulong stride, int bytes)
        => D(StrideTooSmallId, path, loc, $"array '{name}' has stride {stride} but each element is {bytes} bytes; elements would overlap");
    public static RegsDiagnostic AccessConflict(string path, Loc loc, string message) => D(AccessConflictId, path, loc, message);
    public static RegsDiagnostic SideEffectConflict(string path, Loc loc, string message) => D(SideEffectConflictId, path, loc, message);
    public static RegsDiagnostic UnknownReference(string path, Loc loc, string kind, string name, string where)
        => D(UnknownReferenceId, path, loc, $"no {kind} named '{name}' {where}");
    public static RegsDiagnostic InvalidValue(string path, Loc loc, string what, string value, string allowed)
        => D(InvalidValueId, path, loc, $"'{value}' is not a valid {what}; use {allowed}");
    public static RegsDiagnostic DuplicateKey(string path, Loc loc, string key)
        => D(DuplicateKeyId, path, loc, $"key '{key}' appears twice in this mapping; keep one");
    public static RegsDiagnostic AliasNotSupported(string path, Loc loc)
        => D(AliasId, path, loc, "YAML anchors and aliases are not supported; write the value out, or share it through a named enum, flags set or layout");
    public static RegsDiagnostic NameClash(string path, Loc loc, string name, string clash)
        => D(NameClashId, path, loc, $"'{name}' clashes with {clash}; rename it");
    public static RegsDiagnostic TooDeep(string path, Loc loc, int max)
        => D(LimitId, path, loc, $"nesting deeper than {max} levels; register files are never that deep");
    public static RegsDiagnostic Limit(string path, Loc loc, string what)
        => D(LimitId, path, loc, what);
    public static RegsDiagnostic InvalidStructure(string path, Loc loc, string message) => D(InvalidStructureId, path, loc, message);
    public static RegsDiagnostic SameOutputName(string path, string hintName)
        => D(InvalidStructureId, path, default, $"another register file also generates '{hintName}'; give one of them a different file name");
    public static RegsDiagnostic MissingRuntime(string path)
        => D(MissingRuntimeId, path, default, "generated register accessors need the Regs.Runtime library; add a reference to it (package or project)");
}
