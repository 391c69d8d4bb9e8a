namespace Regs.Runtime.BareMetal.Uefi;

/// <summary>
/// The UEFI firmware's services for a UEFI application that keeps boot services (it never calls
/// ExitBootServices): pages, stalls, the watchdog, configuration tables and reset. Initialise it
/// first thing in EfiMain with the arguments the firmware passed. Static fields only hold
/// pointers assigned at run time (a build-time initialiser would not run on bare metal).
/// </summary>
public static unsafe class UefiPlatform
{
    /// <summary>The size of a UEFI page (section 7.2.1).</summary>
    public const nuint PageSize = 4096;

    /// <summary>The highest address <see cref="AllocatePages"/> returns by default: memory a 32-bit DMA engine reaches.</summary>
    public const ulong Below4GiB = 0xFFFF_FFFF;

    /// <summary>Passed as the highest address to let the firmware place pages anywhere (AllocateAnyPages).</summary>
    public const ulong AnyAddress = ulong.MaxValue;

    private static void* s_imageHandle;
    private static EfiSystemTable* s_systemTable;
    private static EfiBootServices* s_bootServices;
    private static EfiRuntimeServices* s_runtimeServices;

    /// <summary>
    /// Takes the image handle and system table EfiMain received. False (and nothing usable) when
    /// the table is null or its signature is not "IBI SYST".
    /// </summary>
    public static bool Initialize(void* imageHandle, EfiSystemTable* systemTable)
    {
        if (systemTable == null || systemTable->Hdr.Signature != EfiSystemTable.SignatureValue) return false;
        s_imageHandle = imageHandle;
        s_systemTable = systemTable;
        s_bootServices = systemTable->BootServices;
        s_runtimeServices = systemTable->RuntimeServices;
        UefiConsole.Attach(systemTable->ConOut);
        return true;
    }

    /// <summary>True once <see cref="Initialize"/> succeeded.</summary>
    public static bool IsInitialized => s_systemTable != null;
    /// <summary>The image handle EfiMain received.</summary>
    public static void* ImageHandle => s_imageHandle;
    /// <summary>The system table.</summary>
    public static EfiSystemTable* SystemTable => s_systemTable;
    /// <summary>The boot services table (null before <see cref="Initialize"/>).</summary>
    public static EfiBootServices* BootServices => s_bootServices;
    /// <summary>The runtime services table (null before <see cref="Initialize"/>).</summary>
    public static EfiRuntimeServices* RuntimeServices => s_runtimeServices;

    /// <summary>
    /// Disables the watchdog the boot manager arms (5 minutes, section 3.1.2) before it starts an
    /// application, so long runs are not reset: SetWatchdogTimer(0, ...) (section 7.5.2).
    /// </summary>
    public static bool WatchdogOff()
    {
        if (s_bootServices == null) return false;
        return !EfiStatus.IsError(s_bootServices->SetWatchdogTimer(0, 0, 0, null));
    }

    /// <summary>Busy-waits at least <paramref name="microseconds"/> through BootServices.Stall (section 7.5.3).</summary>
    public static void Stall(uint microseconds)
    {
        if (s_bootServices != null) s_bootServices->Stall(microseconds);
    }

    /// <summary>
    /// <paramref name="pages"/> contiguous 4 KiB pages of <paramref name="type"/> ending at or below
    /// <paramref name="maxAddress"/> (<see cref="AnyAddress"/> for anywhere), through AllocatePages
    /// (section 7.2.1); null when the firmware has none. Boot services identity-map memory
    /// (section 2.3.4), so the pointer is the physical address. The pages are not zeroed.
    /// </summary>
    public static void* AllocatePages(nuint pages, EfiMemoryType type = EfiMemoryType.LoaderData, ulong maxAddress = Below4GiB)
    {
        if (s_bootServices == null || pages == 0) return null;
        ulong memory = maxAddress;
        uint how = maxAddress == AnyAddress ? (uint)EfiAllocateType.AnyPages : (uint)EfiAllocateType.MaxAddress;
        nuint status = s_bootServices->AllocatePages(how, (uint)type, pages, &memory);
        if (EfiStatus.IsError(status) || memory == 0) return null;
        return (void*)(nuint)memory;
    }

    /// <summary>
    /// The configuration table whose GUID is <paramref name="guid"/> (section 4.6), false when the
    /// firmware lists none. The walk is bounded by the table count (at most 1024 entries read).
    /// </summary>
    public static bool TryFindConfigurationTable(EfiGuid guid, out void* table)
    {
        table = null;
        if (s_systemTable == null || s_systemTable->ConfigurationTable == null) return false;
        nuint count = s_systemTable->NumberOfTableEntries;
        if (count > 1024) count = 1024;
        EfiConfigurationTable* entries = s_systemTable->ConfigurationTable;
        for (nuint i = 0; i < count; i++)
        {
            if (entries[i].VendorGuid.SameAs(guid))
            {
                table = entries[i].VendorTable;
                return table != null;
            }
        }
        return false;
    }

    /// <summary>Resets the machine through RuntimeServices.ResetSystem (section 8.5.1); never returns.</summary>
    public static void Reset(EfiResetType type)
    {
        if (s_runtimeServices != null) s_runtimeServices->ResetSystem((uint)type, 0, 0, null);
        for (;;) Stall(1_000_000);   // ResetSystem does not return; without it, park here
    }

    /// <summary>Powers the machine off (EfiResetShutdown: QEMU exits with status 0); never returns.</summary>
    public static void PowerOff() => Reset(EfiResetType.Shutdown);
}
