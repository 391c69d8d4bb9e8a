namespace Regs.Runtime.BareMetal.Uefi;

/// <summary>EFI_RESET_TYPE (UEFI 2.10 section 8.5.1).</summary>
public enum EfiResetType : uint
{
    /// <summary>EfiResetCold: a full power cycle.</summary>
    Cold = 0,
    /// <summary>EfiResetWarm: a reset without power cycle.</summary>
    Warm = 1,
    /// <summary>EfiResetShutdown: power off (QEMU exits).</summary>
    Shutdown = 2,
}
