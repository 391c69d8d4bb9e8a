namespace Regs.Runtime;

/// <summary>
/// A register's value: the raw bits plus, as static constants the JIT folds, the facts the
/// generic handles need to access it correctly. Implemented by every generated register struct.
/// </summary>
public interface IRegisterValue<TSelf> where TSelf : struct, IRegisterValue<TSelf>
{
    /// <summary>Width and access order, see <see cref="RegisterFormat"/>.</summary>
    static abstract int Format { get; }
    /// <summary>Bits that are write-1-to-clear: never written back by <c>Write</c>, only by <c>Clear</c>.</summary>
    static abstract ulong W1CMask { get; }
    /// <summary>Bits that are write-1-to-set: never written back by <c>Write</c>, only by <c>Set</c>.</summary>
    static abstract ulong W1SMask { get; }
    /// <summary>Reserved bits forced to 0 on every write.</summary>
    static abstract ulong Zeros { get; }
    /// <summary>Reserved bits forced to 1 on every write.</summary>
    static abstract ulong Ones { get; }
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
