using System.Runtime.InteropServices;

namespace Regs.Runtime.BareMetal.Uefi;

/// <summary>
/// EFI_RUNTIME_SERVICES (UEFI 2.10 section 4.5.1) up to ResetSystem, every slot in the spec's
/// order (8 bytes each after the 24-byte header). Slots this platform does not call are untyped.
/// </summary>
[StructLayout(LayoutKind.Explicit)]
public unsafe struct EfiRuntimeServices
{
    /// <summary>EFI_RUNTIME_SERVICES_SIGNATURE "RUNTSERV" as a little-endian 64-bit value.</summary>
    public const ulong SignatureValue = 0x56524553544E5552;

    /// <summary>The table header.</summary>
    [FieldOffset(0)] public EfiTableHeader Hdr;
    /// <summary>GetTime (not used here).</summary>
    [FieldOffset(24)] public void* GetTime;
    /// <summary>SetTime (not used here).</summary>
    [FieldOffset(32)] public void* SetTime;
    /// <summary>GetWakeupTime (not used here).</summary>
    [FieldOffset(40)] public void* GetWakeupTime;
    /// <summary>SetWakeupTime (not used here).</summary>
    [FieldOffset(48)] public void* SetWakeupTime;
    /// <summary>SetVirtualAddressMap (not used here).</summary>
    [FieldOffset(56)] public void* SetVirtualAddressMap;
    /// <summary>ConvertPointer (not used here).</summary>
    [FieldOffset(64)] public void* ConvertPointer;
    /// <summary>GetVariable (not used here).</summary>
    [FieldOffset(72)] public void* GetVariable;
    /// <summary>GetNextVariableName (not used here).</summary>
    [FieldOffset(80)] public void* GetNextVariableName;
    /// <summary>SetVariable (not used here).</summary>
    [FieldOffset(88)] public void* SetVariable;
    /// <summary>GetNextHighMonotonicCount (not used here).</summary>
    [FieldOffset(96)] public void* GetNextHighMonotonicCount;
    /// <summary>ResetSystem(ResetType: EFI_RESET_TYPE, ResetStatus, DataSize, ResetData); does not return (section 8.5.1).</summary>
    [FieldOffset(104)] public delegate* unmanaged<uint, nuint, nuint, void*, void> ResetSystem;
}
