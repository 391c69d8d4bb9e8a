namespace Regs.Language.Model;

/// <summary>A name with its location and documentation; every definition has one.</summary>
public readonly record struct Named(string Name, Loc Loc, string? Doc, string? Spec);

/// <summary>A reference by name to another definition, located where it is written.</summary>
public readonly record struct Ref(string Name, Loc Loc);

/// <summary>One parsed *.regs.yaml file. An equatable value: no Roslyn symbols, no YAML nodes.</summary>
public sealed record FileModel(
    string Path,
    string Namespace,
    EquatableArray<string> Imports,
    string? Spec,
    string? Doc,
    EquatableArray<EnumDef> Enums,
    EquatableArray<FlagsDef> Flags,
    EquatableArray<BlockDef> Blocks,
    EquatableArray<LayoutDef> Layouts);

public sealed record EnumDef(Named N, int Width, EquatableArray<EnumValueDef> Values);
public sealed record EnumValueDef(Named N, ulong Value, Loc ValueLoc);

public sealed record FlagsDef(Named N, int Width, Ref? Extends, EquatableArray<FlagBitDef> Bits);
public sealed record FlagBitDef(Named N, int Bit, Loc BitLoc);
