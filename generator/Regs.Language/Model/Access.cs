namespace Regs.Language.Model;

/// <summary>How software may access a register or field.</summary>
public enum Access
{
    /// <summary>Read-only.</summary>
    RO,
    /// <summary>Write-only.</summary>
    WO,
    /// <summary>Read-write.</summary>
    RW,
    /// <summary>Write 1 to clear.</summary>
    W1C,
    /// <summary>Write 1 to set.</summary>
    W1S,
    /// <summary>A read clears it: reading has side effects.</summary>
    RC,
    /// <summary>A read clears it, and writing 1 clears it too.</summary>
    RCW1C,
}

public enum ByteOrder { Little, Big }

public static class AccessFacts
{
    public static bool Readable(this Access a) => a != Access.WO;
    public static bool Writable(this Access a) => a is Access.WO or Access.RW or Access.W1C or Access.W1S or Access.RCW1C;
    public static bool ReadClears(this Access a) => a is Access.RC or Access.RCW1C;

    public static string Keyword(this Access a) => a switch
    {
        Access.RO => "ro", Access.WO => "wo", Access.RW => "rw", Access.W1C => "w1c",
        Access.W1S => "w1s", Access.RC => "rc", _ => "rc/w1c",
    };

    public static bool TryParse(string text, out Access access)
    {
        switch (text)
        {
            case "ro": access = Access.RO; return true;
            case "wo": access = Access.WO; return true;
            case "rw": access = Access.RW; return true;
            case "w1c": access = Access.W1C; return true;
            case "w1s": access = Access.W1S; return true;
            case "rc": access = Access.RC; return true;
            case "rc/w1c": access = Access.RCW1C; return true;
            default: access = Access.RW; return false;
        }
    }

    /// <summary>Whether a field may have <paramref name="field"/> access inside a register of <paramref name="register"/> access.</summary>
    public static bool FieldAllowed(Access register, Access field) => register switch
    {
        Access.RO => field == Access.RO,
        Access.WO => field == Access.WO,
        Access.RW => field is Access.RO or Access.WO or Access.RW or Access.W1C or Access.W1S,
        Access.W1C => field is Access.RO or Access.W1C,
        Access.W1S => field is Access.RO or Access.W1S,
        Access.RC => field is Access.RO or Access.RC,
        Access.RCW1C => field is Access.RO or Access.RC or Access.W1C or Access.RCW1C,
        _ => false,
    };
}

/// <summary>What a read does besides returning the value (SystemRDL 2.0 <c>onread</c>).</summary>
public enum OnRead
{
    /// <summary><c>rclr</c>: the read clears the bits.</summary>
    Clear,
    /// <summary><c>rset</c>: the read sets the bits.</summary>
    Set,
}

/// <summary>What a write does to the bits instead of storing them (SystemRDL 2.0 <c>onwrite</c>).</summary>
public enum OnWrite
{
    /// <summary><c>woclr</c>: each 1 written clears that bit; a 0 leaves it.</summary>
    W1C,
    /// <summary><c>woset</c>: each 1 written sets that bit; a 0 leaves it.</summary>
    W1S,
    /// <summary><c>wot</c>: each 1 written toggles that bit; a 0 leaves it.</summary>
    W1T,
    /// <summary><c>wzc</c>: each 0 written clears that bit; a 1 leaves it.</summary>
    W0C,
    /// <summary><c>wzs</c>: each 0 written sets that bit; a 1 leaves it.</summary>
    W0S,
    /// <summary><c>wzt</c>: each 0 written toggles that bit; a 1 leaves it.</summary>
    W0T,
    /// <summary><c>wclr</c>: any write clears the bits, whatever is written.</summary>
    Clear,
    /// <summary><c>wset</c>: any write sets the bits, whatever is written.</summary>
    Set,
}

/// <summary>A status bit that holds an event until it is read (IEEE 802.3 clause 22 "LH"/"LL").</summary>
public enum Latch
{
    /// <summary>Latching high: once the condition is 1 the bit reads 1 until it has been read.</summary>
    High,
    /// <summary>Latching low: once the condition is 0 the bit reads 0 until it has been read.</summary>
    Low,
}

/// <summary>The side effects declared on a register or field; <c>null</c> members are not declared.</summary>
public readonly record struct SideEffects(OnRead? OnRead, Loc OnReadLoc, OnWrite? OnWrite, Loc OnWriteLoc, Latch? Latch, Loc LatchLoc)
{
    public bool Any => OnRead != null || OnWrite != null || Latch != null;
}

/// <summary>Keywords of the side-effect keys, as the YAML writes them.</summary>
public static class SideEffectFacts
{
    public const string OnReadKeywords = "rclr or rset";
    public const string OnWriteKeywords = "woclr, woset, wot, wzc, wzs, wzt, wclr or wset";
    public const string LatchKeywords = "high or low";

    public static string Keyword(this OnRead r) => r == Model.OnRead.Clear ? "rclr" : "rset";

    public static string Keyword(this OnWrite w) => w switch
    {
        Model.OnWrite.W1C => "woclr", Model.OnWrite.W1S => "woset", Model.OnWrite.W1T => "wot",
        Model.OnWrite.W0C => "wzc", Model.OnWrite.W0S => "wzs", Model.OnWrite.W0T => "wzt",
        Model.OnWrite.Clear => "wclr", _ => "wset",
    };

    public static string Keyword(this Latch l) => l == Model.Latch.High ? "high" : "low";

    public static bool TryParseOnRead(string text, out OnRead value)
    {
        value = text == "rset" ? Model.OnRead.Set : Model.OnRead.Clear;
        return text is "rclr" or "rset";
    }

    public static bool TryParseOnWrite(string text, out OnWrite value)
    {
        switch (text)
        {
            case "woclr": value = Model.OnWrite.W1C; return true;
            case "woset": value = Model.OnWrite.W1S; return true;
            case "wot": value = Model.OnWrite.W1T; return true;
            case "wzc": value = Model.OnWrite.W0C; return true;
            case "wzs": value = Model.OnWrite.W0S; return true;
            case "wzt": value = Model.OnWrite.W0T; return true;
            case "wclr": value = Model.OnWrite.Clear; return true;
            case "wset": value = Model.OnWrite.Set; return true;
            default: value = Model.OnWrite.W1C; return false;
        }
    }

    public static bool TryParseLatch(string text, out Latch value)
    {
        value = text == "low" ? Model.Latch.Low : Model.Latch.High;
        return text is "high" or "low";
    }

    /// <summary>Whether the write effect acts bit by bit on the value written (all but wclr and wset).</summary>
    public static bool Bitwise(this OnWrite w) => w is not (Model.OnWrite.Clear or Model.OnWrite.Set);

    /// <summary>The text of a side-effect set, for diffs and docs: "onread rclr, latch high" or "none".</summary>
    public static string Text(this SideEffects e)
    {
        var parts = new System.Collections.Generic.List<string>();
        if (e.OnRead is OnRead r) parts.Add("onread " + r.Keyword());
        if (e.OnWrite is OnWrite w) parts.Add("onwrite " + w.Keyword());
        if (e.Latch is Latch l) parts.Add("latch " + l.Keyword());
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }
}
