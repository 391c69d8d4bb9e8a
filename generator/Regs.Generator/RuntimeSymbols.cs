namespace Regs.Generator;

/// <summary>
/// Every name in Regs.Runtime that generated code refers to: types, members, constants. The
/// resolver (which picks handle and value types) and the emitters write these and nothing else
/// from the runtime. RuntimeSymbolsTests looks each one up in the runtime assembly, so renaming
/// one there fails a test rather than a user's build. Generated files say
/// <c>using global::Regs.Runtime;</c>, so every name is written unqualified.
/// </summary>
internal static class RuntimeSymbols
{
    public const string Namespace = "Regs.Runtime";

    // Backends: what a block's struct is generic over.
    public static readonly RuntimeType RegisterAccess = new("IRegisterAccess", 1);
    /// <summary>A backend for a sub-range: how a repeated group's instance is reached.</summary>
    public static readonly RuntimeMember At = new(RegisterAccess, "At");
    public static readonly RuntimeMember Delay = new(RegisterAccess, "Delay");
    public static readonly RuntimeType IndirectPort = new("IIndirectPort");
    /// <summary>Implemented by a generated port; same signature as the interface's.</summary>
    public static readonly RuntimeMember PortRead = new(IndirectPort, "Read");
    public static readonly RuntimeMember PortWrite = new(IndirectPort, "Write");
    public static readonly RuntimeType IndirectStatus = new("IndirectStatus");
    public static readonly RuntimeMember StatusOk = RuntimeMember.Static(IndirectStatus, "Ok");
    public static readonly RuntimeMember StatusDeviceError = RuntimeMember.Static(IndirectStatus, "DeviceError");
    public static readonly RuntimeMember StatusTimeout = RuntimeMember.Static(IndirectStatus, "Timeout");
    public static readonly RuntimeType GenerationCounter = new("IGenerationCounter");
    public static readonly RuntimeMember ReadGeneration = new(GenerationCounter, "ReadGeneration");

    // Register values.
    public static readonly RuntimeType RegisterValue = new("IRegisterValue", 1);
    public static readonly RuntimeMember Format = new(RegisterValue, "Format");
    public static readonly RuntimeMember W1CMask = new(RegisterValue, "W1CMask");
    public static readonly RuntimeMember W1SMask = new(RegisterValue, "W1SMask");
    public static readonly RuntimeMember W1TMask = new(RegisterValue, "W1TMask");
    public static readonly RuntimeMember W0CMask = new(RegisterValue, "W0CMask");
    public static readonly RuntimeMember W0SMask = new(RegisterValue, "W0SMask");
    public static readonly RuntimeMember W0TMask = new(RegisterValue, "W0TMask");
    public static readonly RuntimeMember Zeros = new(RegisterValue, "Zeros");
    public static readonly RuntimeMember Ones = new(RegisterValue, "Ones");
    public static readonly RuntimeMember FromBits = new(RegisterValue, "FromBits");
    public static readonly RuntimeMember ToBits = new(RegisterValue, "ToBits");
    /// <summary>Format is the width ORed with these constants, so it stays a constant the JIT folds.</summary>
    public static readonly RuntimeType RegisterFormat = new("RegisterFormat");
    public static readonly RuntimeMember BigEndian = RuntimeMember.Static(RegisterFormat, "BigEndian");
    public static readonly RuntimeMember HighFirst = RuntimeMember.Static(RegisterFormat, "HighFirst");
    public static readonly RuntimeType U8 = new("U8");
    public static readonly RuntimeType U16 = new("U16");
    public static readonly RuntimeType U32 = new("U32");
    public static readonly RuntimeType U64 = new("U64");
    /// <summary>The raw bits of U8..U64. Generated value structs name theirs alike, so code reading either writes this.</summary>
    public static readonly RuntimeMember Bits = new(U32, "Bits");

    /// <summary>The runtime value type of a register without a struct of its own.</summary>
    public static RuntimeType RawValue(int width) => width switch { 8 => U8, 16 => U16, 32 => U32, _ => U64 };

    // Bit and byte helpers.
    public static readonly RuntimeType Bit = new("Bit");
    public static readonly RuntimeMember BitGet = RuntimeMember.Static(Bit, "Get");
    public static readonly RuntimeMember BitSet = RuntimeMember.Static(Bit, "Set");
    public static readonly RuntimeType ByteOrder = new("ByteOrder");
    public static readonly RuntimeMember Swap16 = RuntimeMember.Static(ByteOrder, "Swap16");
    public static readonly RuntimeMember Swap32 = RuntimeMember.Static(ByteOrder, "Swap32");
    public static readonly RuntimeMember Swap64 = RuntimeMember.Static(ByteOrder, "Swap64");
    public static readonly RuntimeType RegisterIo = new("RegisterIo");
    public static readonly RuntimeMember WriteSelector = RuntimeMember.Static(RegisterIo, "WriteSelector");
    /// <summary>Generated handles (registers with side effects) write through these: raw bits, and the bits each operation sends.</summary>
    public static readonly RuntimeMember IoWrite = RuntimeMember.Static(RegisterIo, "Write");
    public static readonly RuntimeMember ForWrite = RuntimeMember.Static(RegisterIo, "ForWrite");
    public static readonly RuntimeMember ForClear = RuntimeMember.Static(RegisterIo, "ForClear");
    public static readonly RuntimeMember ForSet = RuntimeMember.Static(RegisterIo, "ForSet");
    public static readonly RuntimeMember ForToggle = RuntimeMember.Static(RegisterIo, "ForToggle");

    // Handles: Handle<TBackend, TValue>, one per access kind.
    public static readonly RuntimeType RegisterRO = Handle("RegisterRO");
    public static readonly RuntimeType RegisterRC = Handle("RegisterRC");
    public static readonly RuntimeType RegisterWO = Handle("RegisterWO");
    public static readonly RuntimeType RegisterRW = Handle("RegisterRW");
    public static readonly RuntimeType RegisterRWC = Handle("RegisterRWC");
    public static readonly RuntimeType RegisterRWS = Handle("RegisterRWS");
    public static readonly RuntimeType RegisterRWCS = Handle("RegisterRWCS");
    public static readonly RuntimeType RegisterW1C = Handle("RegisterW1C");
    public static readonly RuntimeType RegisterW1S = Handle("RegisterW1S");
    public static readonly RuntimeType RegisterRCW1C = Handle("RegisterRCW1C");
    public static readonly RuntimeType WindowRO = Handle("WindowRO");
    public static readonly RuntimeType WindowWO = Handle("WindowWO");
    public static readonly RuntimeType WindowRW = Handle("WindowRW");
    public static readonly RuntimeType IndirectRO = Handle("IndirectRO");
    public static readonly RuntimeType IndirectWO = Handle("IndirectWO");
    public static readonly RuntimeType IndirectRW = Handle("IndirectRW");
    /// <summary>Every handle that can read (write) has these; generated code calls them on the handles it picked.</summary>
    public static readonly RuntimeMember Read = new(RegisterRW, "Read");
    public static readonly RuntimeMember Write = new(RegisterRW, "Write");

    // Layout cells: elements of volatile word arrays.
    public static readonly RuntimeType Volatile8 = new("Volatile8");
    public static readonly RuntimeType Volatile16 = new("Volatile16");
    public static readonly RuntimeType Volatile32 = new("Volatile32");

    private static RuntimeType Handle(string name) => new(name, 2);
}

/// <summary>A type of Regs.Runtime; <c>Arity</c> type parameters, written with type arguments after the name.</summary>
internal sealed class RuntimeType
{
    public RuntimeType(string name, int arity = 0) { Name = name; Arity = arity; }

    public string Name { get; }
    public int Arity { get; }

    /// <summary>The name the compiler and reflection know it by: <c>Regs.Runtime.IRegisterAccess`1</c>.</summary>
    public string MetadataName => $"{RuntimeSymbols.Namespace}.{Name}{(Arity > 0 ? "`" + Arity : "")}";

    public override string ToString() => Name;
}

/// <summary>
/// A member of a runtime type, as generated code writes it: <c>Bit.Get</c> when reached through its
/// type (static members, enum values, constants), the bare name when reached through a value or
/// implemented from an interface.
/// </summary>
internal sealed class RuntimeMember
{
    public RuntimeMember(RuntimeType owner, string name) : this(owner, name, name) { }
    private RuntimeMember(RuntimeType owner, string name, string text) { Owner = owner; Name = name; Text = text; }

    public static RuntimeMember Static(RuntimeType owner, string name) => new(owner, name, $"{owner.Name}.{name}");

    public RuntimeType Owner { get; }
    public string Name { get; }
    /// <summary>How generated code writes it.</summary>
    public string Text { get; }

    public override string ToString() => Text;
}
