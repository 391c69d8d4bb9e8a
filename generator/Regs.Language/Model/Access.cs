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
