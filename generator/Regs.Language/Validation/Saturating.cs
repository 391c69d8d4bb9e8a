namespace Regs.Language.Validation;

/// <summary>Address arithmetic that sticks at ulong.MaxValue instead of wrapping, so a limit check cannot be fooled by overflow.</summary>
internal static class Saturating
{
    public static ulong Add(ulong a, ulong b) => a > ulong.MaxValue - b ? ulong.MaxValue : a + b;
    public static ulong Mul(ulong a, ulong b) => a != 0 && b > ulong.MaxValue / a ? ulong.MaxValue : a * b;
}
