namespace Regs.Language.Reading;

/// <summary>
/// The keys each kind of mapping accepts. The reader reports any other key as a typo; a test
/// checks that regs.schema.json offers exactly these, so editor completion and the generator
/// cannot drift apart.
/// </summary>
public static class LanguageKeys
{
    public static readonly string[] File = { "namespace", "imports", "spec", "doc", "enums", "flags", "blocks", "layouts" };
    public static readonly string[] Enum = { "name", "width", "doc", "spec", "values" };
    public static readonly string[] EnumValue = { "name", "value", "doc", "spec" };
    public static readonly string[] Flags = { "name", "width", "extends", "doc", "spec", "bits" };
    public static readonly string[] FlagBit = { "name", "bit", "doc", "spec" };
    public static readonly string[] Block = { "name", "width", "access", "byte_order", "indirect", "features", "doc", "spec", "constants", "registers", "groups", "ports" };
    public static readonly string[] Constant = { "name", "value", "doc", "spec" };
    public static readonly string[] Register = { "name", "offset", "width", "access", "byte_order", "reset", "fields", "type", "alias_of", "split", "array", "window", "requires", "onread", "onwrite", "latch", "doc", "spec" };
    public static readonly string[] Field = { "name", "bit", "bits", "access", "enum", "flags", "reset", "reserved", "write_as", "onread", "onwrite", "latch", "doc", "spec" };
    public static readonly string[] Array = { "count", "stride", "ranges" };
    public static readonly string[] ArrayRange = { "count", "offset" };
    public static readonly string[] Window = { "select", "width" };
    public static readonly string[] Group = { "name", "offset", "count", "stride", "select", "registers", "doc", "spec" };
    public static readonly string[] Port = { "name", "space", "register", "address", "data", "opcode", "start", "done", "error", "set", "poll_us", "timeout_us", "doc", "spec" };
    public static readonly string[] Opcode = { "field", "read", "write" };
    public static readonly string[] Layout = { "name", "size", "byte_order", "members", "views", "doc", "spec" };
    public static readonly string[] View = { "name", "members", "doc", "spec" };
    public static readonly string[] Member = { "name", "offset", "after", "width", "byte_order", "fields", "type", "element", "count", "doc", "spec" };
}
