namespace Regs.Runtime;

/// <summary>
/// A register's value: the raw bits plus, as static constants the JIT folds, the facts the
/// generic handles need to access it correctly. Implemented by every generated register struct;
/// the masks default to 0 and are generated only where a register has such bits.
/// </summary>
public interface IRegisterValue<TSelf> where TSelf : struct, IRegisterValue<TSelf>
{
    /// <summary>Width and access order, see <see cref="RegisterFormat"/>.</summary>
    static abstract int Format { get; }
    /// <summary>Bits that are write-1-to-clear: never written back by <c>Write</c>, only by <c>Clear</c>.</summary>
    static virtual ulong W1CMask => 0;
    /// <summary>Bits that are write-1-to-set: never written back by <c>Write</c>, only by <c>Set</c>.</summary>
    static virtual ulong W1SMask => 0;
    /// <summary>Bits a written 1 toggles (onwrite: wot): sent as 0 except by <c>Toggle</c>.</summary>
    static virtual ulong W1TMask => 0;
    /// <summary>Bits a written 0 clears (onwrite: wzc): sent as 1 except by <c>Clear</c>, which sends 0 where asked.</summary>
    static virtual ulong W0CMask => 0;
    /// <summary>Bits a written 0 sets (onwrite: wzs): sent as 1 except by <c>Set</c>, which sends 0 where asked.</summary>
    static virtual ulong W0SMask => 0;
    /// <summary>Bits a written 0 toggles (onwrite: wzt): sent as 1 except by <c>Toggle</c>, which sends 0 where asked.</summary>
    static virtual ulong W0TMask => 0;
    /// <summary>Reserved bits forced to 0 on every write.</summary>
    static virtual ulong Zeros => 0;
    /// <summary>Reserved bits forced to 1 on every write.</summary>
    static virtual ulong Ones => 0;
    /// <summary>Makes a value from raw bits.</summary>
    static abstract TSelf FromBits(ulong bits);
    /// <summary>The raw bits.</summary>
    ulong ToBits();
}

/// <summary>Encodes a register's width and access order in one constant.</summary>
public static class RegisterFormat
{
    /// <summary>Mask of the width in bits (8, 16, 32 or 64).</summary>
    public const int WidthMask = 0xFF;
    /// <summary>The register is big-endian.</summary>
    public const int BigEndian = 0x100;
    /// <summary>A 64-bit register whose high half must be accessed first.</summary>
    public const int HighFirst = 0x200;
}
