using System.Runtime.InteropServices;

namespace Regs.Runtime.BareMetal.Uefi;

/// <summary>
/// EFI_BOOT_SERVICES (UEFI 2.10 section 4.4.1) up to SetWatchdogTimer, every slot in the spec's
/// order so the offsets are right (8 bytes each after the 24-byte header). Slots this platform
/// does not call are untyped pointers. Every service returns an EFI_STATUS (see <see cref="EfiStatus"/>).
/// The firmware's ABI is the Microsoft x64 convention, which is the default unmanaged convention
/// of the image (compiled for --targetos:windows).
/// </summary>
[StructLayout(LayoutKind.Explicit)]
public unsafe struct EfiBootServices
{
    /// <summary>EFI_BOOT_SERVICES_SIGNATURE "BOOTSERV" as a little-endian 64-bit value.</summary>
    public const ulong SignatureValue = 0x56524553544F4F42;

    /// <summary>The table header.</summary>
    [FieldOffset(0)] public EfiTableHeader Hdr;

    // Task priority services (7.1).
    /// <summary>RaiseTPL(NewTpl) returning the old TPL.</summary>
    [FieldOffset(24)] public delegate* unmanaged<nuint, nuint> RaiseTpl;
    /// <summary>RestoreTPL(OldTpl).</summary>
    [FieldOffset(32)] public delegate* unmanaged<nuint, void> RestoreTpl;

    // Memory allocation services (7.2).
    /// <summary>AllocatePages(Type: EFI_ALLOCATE_TYPE, MemoryType: EFI_MEMORY_TYPE, Pages, Memory: in/out physical address).</summary>
    [FieldOffset(40)] public delegate* unmanaged<uint, uint, nuint, ulong*, nuint> AllocatePages;
    /// <summary>FreePages(Memory, Pages).</summary>
    [FieldOffset(48)] public delegate* unmanaged<ulong, nuint, nuint> FreePages;
    /// <summary>GetMemoryMap(MemoryMapSize, MemoryMap, MapKey, DescriptorSize, DescriptorVersion).</summary>
    [FieldOffset(56)] public delegate* unmanaged<nuint*, void*, nuint*, nuint*, uint*, nuint> GetMemoryMap;
    /// <summary>AllocatePool(PoolType: EFI_MEMORY_TYPE, Size, Buffer).</summary>
    [FieldOffset(64)] public delegate* unmanaged<uint, nuint, void**, nuint> AllocatePool;
    /// <summary>FreePool(Buffer).</summary>
    [FieldOffset(72)] public delegate* unmanaged<void*, nuint> FreePool;

    // Event and timer services (7.1).
    /// <summary>CreateEvent (not used here).</summary>
    [FieldOffset(80)] public void* CreateEvent;
    /// <summary>SetTimer (not used here).</summary>
    [FieldOffset(88)] public void* SetTimer;
    /// <summary>WaitForEvent (not used here).</summary>
    [FieldOffset(96)] public void* WaitForEvent;
    /// <summary>SignalEvent (not used here).</summary>
    [FieldOffset(104)] public void* SignalEvent;
    /// <summary>CloseEvent (not used here).</summary>
    [FieldOffset(112)] public void* CloseEvent;
    /// <summary>CheckEvent (not used here).</summary>
    [FieldOffset(120)] public void* CheckEvent;

    // Protocol handler services (7.3).
    /// <summary>InstallProtocolInterface (not used here).</summary>
    [FieldOffset(128)] public void* InstallProtocolInterface;
    /// <summary>ReinstallProtocolInterface (not used here).</summary>
    [FieldOffset(136)] public void* ReinstallProtocolInterface;
    /// <summary>UninstallProtocolInterface (not used here).</summary>
    [FieldOffset(144)] public void* UninstallProtocolInterface;
    /// <summary>HandleProtocol (not used here).</summary>
    [FieldOffset(152)] public void* HandleProtocol;
    /// <summary>Reserved slot.</summary>
    [FieldOffset(160)] public void* Reserved;
    /// <summary>RegisterProtocolNotify (not used here).</summary>
    [FieldOffset(168)] public void* RegisterProtocolNotify;
    /// <summary>LocateHandle (not used here).</summary>
    [FieldOffset(176)] public void* LocateHandle;
    /// <summary>LocateDevicePath (not used here).</summary>
    [FieldOffset(184)] public void* LocateDevicePath;
    /// <summary>InstallConfigurationTable (not used here).</summary>
    [FieldOffset(192)] public void* InstallConfigurationTable;

    // Image services (7.4).
    /// <summary>LoadImage (not used here).</summary>
    [FieldOffset(200)] public void* LoadImage;
    /// <summary>StartImage (not used here).</summary>
    [FieldOffset(208)] public void* StartImage;
    /// <summary>Exit (not used here).</summary>
    [FieldOffset(216)] public void* Exit;
    /// <summary>UnloadImage (not used here).</summary>
    [FieldOffset(224)] public void* UnloadImage;
    /// <summary>ExitBootServices(ImageHandle, MapKey).</summary>
    [FieldOffset(232)] public delegate* unmanaged<void*, nuint, nuint> ExitBootServices;

    // Miscellaneous services (7.5).
    /// <summary>GetNextMonotonicCount(Count).</summary>
    [FieldOffset(240)] public delegate* unmanaged<ulong*, nuint> GetNextMonotonicCount;
    /// <summary>Stall(Microseconds): busy-waits at least that long.</summary>
    [FieldOffset(248)] public delegate* unmanaged<nuint, nuint> Stall;
    /// <summary>SetWatchdogTimer(Timeout seconds (0 disables), WatchdogCode, DataSize, WatchdogData).</summary>
    [FieldOffset(256)] public delegate* unmanaged<nuint, ulong, nuint, char*, nuint> SetWatchdogTimer;
}
