using System;
using Regs.Uart;

namespace Regs.Runtime.BareMetal;

/// <summary>
/// Console output straight to the first serial port (a 16550 at I/O port 0x3F8), through the
/// accessors generated from defs/uart/uart16550.regs.yaml: 115200 baud, 8N1, FIFOs on. Works
/// whether or not the firmware redirects its own console there; every wait is bounded.
/// </summary>
public static class SerialConsole
{
    private const uint TransmitWaitMicroseconds = 10_000;
    private static bool s_ready;

    /// <summary>True once a UART answered and was programmed.</summary>
    public static bool IsReady => s_ready;

    /// <summary>Finds the UART (its scratch register must hold a value) and programs it (PC16550D "programming table").</summary>
    public static bool Initialize()
    {
        if (s_ready) return true;
        if (!PortIo.Initialize()) return false;
        var uart = new Uart16550<PortIoAccess>(new PortIoAccess((ushort)Uart16550.Com1Port));
        uart.SCR.Write(0x5A);
        if (uart.SCR.Read() != 0x5A) return false;                     // nothing at 0x3F8
        uart.IER.Write(default);                                        // polling: no UART interrupts
        uart.LCR.Write(new Uart16550.LCR { DLAB = true });
        uart.DLL.Write((byte)(Uart16550.ClockHz / 16 / 115200));        // divisor 1
        uart.DLM.Write(0);
        uart.LCR.Write(new Uart16550.LCR { WordLength = UartWordLength.Bits8 });   // 8N1, DLAB off
        uart.FCR.Write(new Uart16550.FCR { FifoEnable = true, ClearReceive = true, ClearTransmit = true });
        uart.MCR.Write(new Uart16550.MCR { DTR = true, RTS = true, OUT2 = true });
        s_ready = true;
        return true;
    }

    /// <summary>Writes <paramref name="utf8"/> and CR LF; bytes are sent as they are.</summary>
    public static void WriteLine(ReadOnlySpan<byte> utf8)
    {
        if (!s_ready) return;
        for (int i = 0; i < utf8.Length; i++) Send(utf8[i]);
        Send((byte)'\r');
        Send((byte)'\n');
    }

    // Waits (bounded) for THR to be empty, then writes the byte; a stuck UART drops it.
    private static void Send(byte value)
    {
        var uart = new Uart16550<PortIoAccess>(new PortIoAccess((ushort)Uart16550.Com1Port));
        ulong until = TscClock.NowMicroseconds() + TransmitWaitMicroseconds;
        while (!uart.LSR.ReadAndClear().THRE)
            if (TscClock.NowMicroseconds() >= until) return;
        uart.THR.Write(value);
    }
}
