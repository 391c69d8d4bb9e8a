namespace Regs.Runtime.BareMetal.Uefi;

/// <summary>EFI_MEMORY_TYPE (UEFI 2.10 section 7.2.1), the types a UEFI application allocates.</summary>
public enum EfiMemoryType : uint
{
    /// <summary>EfiLoaderCode: code of the loaded image; executable under the firmware's NX policy.</summary>
    LoaderCode = 1,
    /// <summary>EfiLoaderData: data of the loaded image.</summary>
    LoaderData = 2,
    /// <summary>EfiBootServicesData: data of boot-services drivers.</summary>
    BootServicesData = 4,
}
