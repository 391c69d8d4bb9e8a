namespace Regs.Runtime.BareMetal.Uefi;

/// <summary>EFI_STATUS values (UEFI 2.10 Appendix D): UINTN, errors have the top bit set.</summary>
public static class EfiStatus
{
    /// <summary>EFI_SUCCESS.</summary>
    public const ulong Success = 0;
    /// <summary>The bit every error code has (the top bit of a 64-bit UINTN).</summary>
    public const ulong ErrorBit = 0x8000_0000_0000_0000;
    /// <summary>EFI_OUT_OF_RESOURCES (error 9).</summary>
    public const ulong OutOfResources = ErrorBit | 9;
    /// <summary>EFI_NOT_FOUND (error 14).</summary>
    public const ulong NotFound = ErrorBit | 14;

    /// <summary>True when <paramref name="status"/> is an error (warnings are not).</summary>
    public static bool IsError(nuint status) => ((ulong)status & ErrorBit) != 0;
}
