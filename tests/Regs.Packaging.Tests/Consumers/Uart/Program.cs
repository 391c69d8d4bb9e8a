using System;
using Acme.Serial;
using Regs.Packaging.Consumer;

// A project with its own register description (uart16550.regs.yaml) and one PackageReference,
// Regs.Generator: the accessors are generated at build time.
var io = new byte[8];
var uart = new Uart16550<ByteArrayAccess>(new ByteArrayAccess(io));
uart.LCR.Write(new Uart16550.LCR { DLAB = true });
uart.DLL.Write((byte)(Uart16550.ClockHz / 16 / 115200));
uart.DLM.Write(0);
uart.LCR.Write(new Uart16550.LCR { WordLength = UartWordLength.Bits8 });
uart.FCR.Write(new Uart16550.FCR { FifoEnable = true, ClearReceive = true, ClearTransmit = true });
uart.MCR.Write(new Uart16550.MCR { DTR = true, RTS = true, OUT2 = true });
io[5] = 0x60;   // LSR: THRE and TEMT
if (uart.LSR.ReadAndClear().THRE) uart.THR.Write((byte)'R');
Console.WriteLine($"uart COM1=0x{Uart16550.Com1Port:X3} bytes={Convert.ToHexString(io)}");
Console.WriteLine($"uart LCR.WordLength={uart.LCR.Read().WordLength} MCR.OUT2={uart.MCR.Read().OUT2}");
