using System;
using System.Runtime;
using Regs.BareMetal;
using Regs.Runtime;
using Regs.Runtime.BareMetal;
using Regs.Runtime.BareMetal.Pci;
using Regs.Runtime.BareMetal.Uefi;

namespace Regs.BareMetal.Image;

/// <summary>
/// The UEFI entry point: platform start-up (watchdog off, TSC calibrated), a check of the core
/// library, the NIC bring-up, and power-off so QEMU exits 0. Lines for the boot test start with
/// "regs-baremetal: " (OVMF mirrors ConOut to the serial port).
/// </summary>
public static unsafe class Program
{
    /// <summary>Heap for class and array allocations during start-up (bump allocator, never freed).</summary>
    private const nuint HeapPages = 64;

    /// <summary>Called by the firmware (MS x64 ABI): ImageHandle, SystemTable; returns EFI_STATUS.</summary>
    [RuntimeExport("EfiMain")]
    public static nuint EfiMain(void* imageHandle, EfiSystemTable* systemTable)
    {
        if (!UefiBoot.Start(imageHandle, systemTable)) return unchecked((nuint)EfiStatus.ErrorBit);
        FailFast.Handler = &OnFailFast;
        void* heap = UefiPlatform.AllocatePages(HeapPages);
        if (heap != null) Heap.Initialize(heap, HeapPages * UefiPlatform.PageSize);

        Say("hello"u8);                               // through the firmware's console (ConOut)
        if (SerialConsole.Initialize()) Say("serial console: 16550 at 0x3f8"u8);   // from here on, straight to the UART
        CoreLibSelfCheck.Run(&Say);
        Heap.Close();   // initialisation is over: later allocations halt
        if (EcamPciBus.TryOpenFromAcpi(out EcamPciBus bus)) bus.LogFunctions();
        BringUp.Run();
        Say("power off"u8);
        UefiPlatform.PowerOff();
        return 0;
    }

    /// <summary>
    /// Writes "regs-baremetal: " and <paramref name="text"/> as one line: to the serial port once
    /// <see cref="SerialConsole"/> is up, through the firmware's console before that.
    /// </summary>
    internal static void Say(ReadOnlySpan<byte> text)
    {
        Span<byte> buffer = stackalloc byte[200];
        var line = new LogLine(buffer);
        line.Add("regs-baremetal: "u8);
        line.Add(text);
        if (SerialConsole.IsReady) SerialConsole.WriteLine(line.Text);
        else UefiConsole.WriteLine(line.Text);
    }

    private static void OnFailFast(FailFast.Reason reason)
    {
        Span<byte> buffer = stackalloc byte[64];
        var line = new LogLine(buffer);
        line.Add("fail-fast reason="u8);
        line.Dec((ulong)reason);
        Say(line.Text);
        UefiPlatform.Reset(EfiResetType.Shutdown);
    }
}
