namespace Regs.Runtime.BareMetal.Uefi;

/// <summary>EFI_ALLOCATE_TYPE (UEFI 2.10 section 7.2.1): where AllocatePages may place the pages.</summary>
public enum EfiAllocateType : uint
{
    /// <summary>AllocateAnyPages: anywhere.</summary>
    AnyPages = 0,
    /// <summary>AllocateMaxAddress: ending at or below the address passed in.</summary>
    MaxAddress = 1,
    /// <summary>AllocateAddress: exactly at the address passed in.</summary>
    Address = 2,
}
