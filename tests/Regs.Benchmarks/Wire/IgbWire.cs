using System;
using Regs.Igb;
using Regs.Runtime;

namespace Regs.Benchmarks.Wire;

/// <summary>
/// One igb port on the wire: the device's side of transmit queue 0 and receive queue 0 (rings,
/// heads, the register file holding TDT and RDT) and how it reaches DMA memory.
/// </summary>
public unsafe struct IgbWirePort
{
    public Igb<MmioPointer<NoClock>> Registers;
    public byte* TxRing, RxRing;
    public uint TxSize, RxSize, TxHead, RxHead;
    public byte* DmaCpu;
    public ulong DmaDevice;

    public readonly byte* Cpu(ulong deviceAddress) => DmaCpu + (deviceAddress - DmaDevice);
}

/// <summary>
/// The least an 82576 does to move frames from one port's transmit ring to another port's receive
/// ring (datasheet 7.1.5 and 7.2.2.3 formats), on plain memory and with no checks: the "device" in
/// the wire benchmarks, cheap enough that the driver's own cost shows, and measured on its own
/// (<see cref="DriverWireBenchmarks"/>) so it can be subtracted.
/// </summary>
public static unsafe class IgbWire
{
    // Write-back status bits (datasheet 7.1.5.1 RX: DD bit 0, EOP bit 1; 7.2.2.3.2 TX: DD bit 0),
    // the device's side, written by hand on purpose.
    private const uint Dd = 1, Eop = 2;

    /// <summary>Sends everything between <paramref name="from"/>'s TDH and TDT into <paramref name="to"/>'s receive ring; returns frames moved.</summary>
    public static int Step(ref IgbWirePort from, ref IgbWirePort to)
    {
        uint tdt = from.Registers.TxQueue(0).TDT.Read();
        uint rdt = to.Registers.RxQueue(0).RDT.Read();
        int moved = 0;
        while (from.TxHead != tdt)
        {
            byte* t = from.TxRing + from.TxHead * 16;
            ulong buffer = *(ulong*)t;
            uint length = *(uint*)(t + 8) & 0xFFFF;          // DTALEN
            if (to.RxHead != rdt)
            {
                byte* r = to.RxRing + to.RxHead * 16;
                Buffer.MemoryCopy(from.Cpu(buffer), to.Cpu(*(ulong*)r), length, length);
                *(ulong*)r = 0;                                // RSS / packet type: none
                *(ushort*)(r + 12) = (ushort)length;
                *(ushort*)(r + 14) = 0;
                *(uint*)(r + 8) = Dd | Eop;                    // status last
                to.RxHead = to.RxHead + 1 == to.RxSize ? 0 : to.RxHead + 1;
                moved++;
            }
            *(uint*)(t + 12) = Dd;
            from.TxHead = from.TxHead + 1 == from.TxSize ? 0 : from.TxHead + 1;
        }
        return moved;
    }
}
