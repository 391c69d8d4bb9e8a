using Regs.Generator.Plan;
using Regs.Language.Model;
using static Regs.Generator.RuntimeSymbols;

namespace Regs.Generator.Emit;

/// <summary>
/// A handle generated for a register with side effects: exactly the operations its bits allow,
/// each named after its effect (ReadAndClear, Clear, Toggle, WriteAndClear...), so a read or a
/// write with a side effect is never spelled as a plain Read or Write. Each method is one call
/// into the runtime's handles or RegisterIo, inlined like theirs: no cost over a plain access.
/// </summary>
internal static class OwnHandleEmitter
{
    private const string Inline = "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]";

    public static void Emit(CodeWriter w, OwnHandlePlan h)
    {
        string v = h.ValueType;
        w.Doc($"The operations of {h.Register}: its side effects are in the method names.");
        w.Open($"public readonly struct {h.Name}");
        if (h.Indirect)
        {
            w.Line("private readonly TPort _port;");
            w.Line("private readonly uint _address;");
            w.Line(Inline);
            w.Line($"public {h.Name}(TPort port, uint address) {{ _port = port; _address = address; }}");
            w.Doc("The register number within the space.");
            w.Line("public uint Address => _address;");
        }
        else
        {
            w.Line("private readonly TAccess _io;");
            w.Line("private readonly nuint _offset;");
            w.Line(Inline);
            w.Line($"public {h.Name}(TAccess io, nuint offset) {{ _io = io; _offset = offset; }}");
            w.Doc("Byte offset from the backend's base.");
            w.Line("public nuint Offset => _offset;");
        }

        string? read = h.Read switch
        {
            ReadEffect.Plain => "Read",
            ReadEffect.Clear => "ReadAndClear",
            ReadEffect.Set => "ReadAndSet",
            ReadEffect.Unlatch => "ReadAndUnlatch",
            _ => null,
        };
        if (read != null)
        {
            w.Doc(h.Read switch
            {
                ReadEffect.Plain => "Reads the register.",
                ReadEffect.Clear => "Reads the register; the device clears its read-to-clear bits (and releases latched ones) as a side effect of this read.",
                ReadEffect.Set => "Reads the register; the device sets its read-to-set bits as a side effect of this read.",
                _ => "Reads the register, returning each latched bit as it was held since the last read; the read releases the latches, so the next read shows the current state.",
            });
            if (h.Indirect)
                w.Line($"public {IndirectStatus} {read}(out {v} value) => new {RegisterHandle(h, IndirectRO)}(_port, _address).{Read}(out value);");
            else
            {
                w.Line(Inline);
                w.Line($"public {v} {read}() => new {RegisterHandle(h, RegisterRO)}(_io, _offset).{Read}();");
            }
        }
        if (h.Write)
            Write(w, h, "Write", ForWrite, "Writes the value; bits whose write has an effect are sent at the level that has none, reserved bits as declared.");
        if (h.WriteAll == WriteEffect.Clear)
            Write(w, h, "WriteAndClear", ForWrite, "Writes the value; the device clears its write-clears bits (onwrite: wclr) whatever is written.");
        if (h.WriteAll == WriteEffect.Set)
            Write(w, h, "WriteAndSet", ForWrite, "Writes the value; the device sets its write-sets bits (onwrite: wset) whatever is written.");
        if (h.Clear)
            Write(w, h, "Clear", ForClear, "Clears each clearable bit set in the value (sending 1 for woclr, 0 for wzc); other bits with write effects are left alone, plain bits written as given.");
        if (h.Set)
            Write(w, h, "Set", ForSet, "Sets each settable bit set in the value (sending 1 for woset, 0 for wzs); other bits with write effects are left alone, plain bits written as given.");
        if (h.Toggle)
            Write(w, h, "Toggle", ForToggle, "Toggles each toggleable bit set in the value (sending 1 for wot, 0 for wzt); other bits with write effects are left alone, plain bits written as given.");
        w.Close();
    }

    private static string RegisterHandle(OwnHandlePlan h, RuntimeType runtimeType)
        => $"{runtimeType}<{(h.Indirect ? "TPort" : "TAccess")}, {h.ValueType}>";

    private static void Write(CodeWriter w, OwnHandlePlan h, string method, RuntimeMember bits, string doc)
    {
        w.Doc(doc);
        if (h.Indirect)
            w.Line($"public {IndirectStatus} {method}({h.ValueType} value) => _port.{PortWrite.Name}(_address, {bits}(value));");
        else
        {
            w.Line(Inline);
            w.Line($"public void {method}({h.ValueType} value) => {IoWrite}<TAccess, {h.ValueType}>(_io, _offset, {bits}(value));");
        }
    }
}
