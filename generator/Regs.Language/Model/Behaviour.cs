namespace Regs.Language.Model;

/// <summary>What a read of a register does besides returning it, as the generated method names it.</summary>
public enum ReadEffect
{
    /// <summary>The register cannot be read.</summary>
    None,
    /// <summary>A plain read: <c>Read()</c>.</summary>
    Plain,
    /// <summary>A read clears bits (<c>rc</c>, <c>onread: rclr</c>), or clears some and releases latches: <c>ReadAndClear()</c>.</summary>
    Clear,
    /// <summary>A read sets bits (<c>onread: rset</c>): <c>ReadAndSet()</c>.</summary>
    Set,
    /// <summary>A read releases latched status bits and nothing else (<c>latch</c>): <c>ReadAndUnlatch()</c>.</summary>
    Unlatch,
}

/// <summary>What every write of a register does to some of its bits, whatever is written.</summary>
public enum WriteEffect
{
    /// <summary>No bit changes merely because the register is written.</summary>
    None,
    /// <summary><c>onwrite: wclr</c> bits: <c>WriteAndClear(v)</c> instead of <c>Write(v)</c>.</summary>
    Clear,
    /// <summary><c>onwrite: wset</c> bits: <c>WriteAndSet(v)</c> instead of <c>Write(v)</c>.</summary>
    Set,
}

/// <summary>
/// One bit range's behaviour with the access kind and the side-effect keys folded together:
/// <c>w1c</c> is <c>rw</c> with <c>onwrite: woclr</c>, <c>rc</c> is <c>ro</c> with <c>onread: rclr</c>.
/// </summary>
public readonly record struct BitBehaviour(bool Readable, bool Writable, OnRead? OnRead, OnWrite? OnWrite, Latch? Latch)
{
    /// <summary>Writable bits whose write stores the value written (no onwrite effect).</summary>
    public bool PlainWritable => Writable && OnWrite == null;
    public bool ReadHasEffect => OnRead != null || Latch != null;
}

/// <summary>
/// The operations a register offers, derived from its access kind, its fields' access kinds and
/// the side-effect keys: the one place the generator and the diff learn what a register does.
/// </summary>
public sealed record RegisterBehaviour(
    ReadEffect Read,
    bool PlainWrite,
    WriteEffect WriteAll,
    ulong W1C, ulong W1S, ulong W1T, ulong W0C, ulong W0S, ulong W0T)
{
    /// <summary>Whether any side-effect key (onread, onwrite, latch) shapes this register.</summary>
    public bool UsesSideEffectKeys { get; init; }

    public bool Writable => PlainWrite || WriteAll != WriteEffect.None || Clears || Sets || Toggles;
    public bool Clears => (W1C | W0C) != 0;
    public bool Sets => (W1S | W0S) != 0;
    public bool Toggles => (W1T | W0T) != 0;

    /// <summary>The behaviour of an access kind without side-effect keys.</summary>
    public static BitBehaviour Of(Access a) => a switch
    {
        Access.RO => new(true, false, null, null, null),
        Access.WO => new(false, true, null, null, null),
        Access.RW => new(true, true, null, null, null),
        Access.W1C => new(true, true, null, Model.OnWrite.W1C, null),
        Access.W1S => new(true, true, null, Model.OnWrite.W1S, null),
        Access.RC => new(true, false, Model.OnRead.Clear, null, null),
        _ => new(true, true, Model.OnRead.Clear, Model.OnWrite.W1C, null),
    };

    /// <summary>
    /// The side-effect keys that apply to a field: its own, or (when it declares none of
    /// <c>access</c>, <c>onread</c>, <c>onwrite</c>, <c>latch</c>) its register's.
    /// </summary>
    public static SideEffects EffectsOf(FieldDef f, RegisterDef r)
        => f.Effects.Any || f.Access != null ? f.Effects : r.Effects;

    /// <summary>A field's behaviour inside its register (valid definitions only: conflicts are the validator's).</summary>
    public static BitBehaviour Of(FieldDef f, RegisterDef r) => Merge(Of(f.Access ?? r.Access), EffectsOf(f, r));

    public static BitBehaviour Merge(BitBehaviour b, SideEffects e)
        => b with { OnRead = e.OnRead ?? b.OnRead, OnWrite = e.OnWrite ?? b.OnWrite, Latch = e.Latch ?? b.Latch };

    public static RegisterBehaviour Of(RegisterDef r)
    {
        bool keys = r.Effects.Any;
        var parts = new System.Collections.Generic.List<(BitBehaviour B, ulong Mask)>();
        ulong width = r.ValueWidth >= 64 ? ulong.MaxValue : (1UL << r.ValueWidth) - 1;
        bool anyField = false;
        foreach (FieldDef f in r.Fields)
        {
            if (f.Reserved) continue;
            anyField = true;
            keys |= f.Effects.Any;
            parts.Add((Of(f, r), (f.Width >= 64 ? ulong.MaxValue : (1UL << f.Width) - 1) << f.Lo));
        }
        // A register without fields (reserved ones do not count) behaves as one field over all its bits.
        if (!anyField) parts.Add((Merge(Of(r.Access), r.Effects), width));

        bool clear = false, set = false, unlatch = false, readable = false, plainWrite = false, wclr = false, wset = false;
        ulong w1c = 0, w1s = 0, w1t = 0, w0c = 0, w0s = 0, w0t = 0;
        foreach (var (b, mask) in parts)
        {
            readable |= b.Readable;
            if (b.OnRead == Model.OnRead.Clear) clear = true;
            if (b.OnRead == Model.OnRead.Set) set = true;
            if (b.Latch != null) unlatch = true;
            if (!b.Writable) continue;
            switch (b.OnWrite)
            {
                case null: plainWrite = true; break;
                case Model.OnWrite.W1C: w1c |= mask; break;
                case Model.OnWrite.W1S: w1s |= mask; break;
                case Model.OnWrite.W1T: w1t |= mask; break;
                case Model.OnWrite.W0C: w0c |= mask; break;
                case Model.OnWrite.W0S: w0s |= mask; break;
                case Model.OnWrite.W0T: w0t |= mask; break;
                case Model.OnWrite.Clear: wclr = true; break;
                case Model.OnWrite.Set: wset = true; break;
            }
        }
        // The register's access kind decides readability as a whole (a wo register with ro fields is rejected anyway).
        readable &= r.Access.Readable();
        ReadEffect read = !readable ? ReadEffect.None
            : set && !clear && !unlatch ? ReadEffect.Set
            : unlatch && !clear && !set ? ReadEffect.Unlatch
            : clear || set || unlatch ? ReadEffect.Clear
            : ReadEffect.Plain;
        WriteEffect all = wclr ? WriteEffect.Clear : wset ? WriteEffect.Set : WriteEffect.None;
        // Every write to a register with wclr/wset bits has that effect: it gets no plain Write.
        if (all != WriteEffect.None) plainWrite = false;
        return new RegisterBehaviour(read, plainWrite, all, w1c, w1s, w1t, w0c, w0s, w0t) { UsesSideEffectKeys = keys };
    }
}

public static class HandleFacts
{
    /// <summary>
    /// Whether a register needs a handle generated for it instead of one of the runtime's:
    /// side-effect keys give operation sets the runtime has no type for, and the runtime's
    /// indirect handles only read and write plainly.
    /// </summary>
    public static bool NeedsOwnHandle(BlockDef b, RegisterDef r)
    {
        if (r.Window != null) return false;
        if (r.Effects.Any) return true;
        foreach (FieldDef f in r.Fields) if (!f.Reserved && f.Effects.Any) return true;
        return b.Indirect && r.Access is not (Access.RO or Access.WO or Access.RW);
    }

    /// <summary>The name of a generated handle type: <c>{register}Handle</c>, nested in the block's struct.</summary>
    public static string HandleTypeName(RegisterDef r) => r.N.Name + "Handle";
}
