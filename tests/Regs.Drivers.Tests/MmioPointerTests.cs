using System.Diagnostics;
using System.Runtime.InteropServices;
using Regs.Igb;
using Regs.Runtime;
using Regs.Runtime.Hosted;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>The raw-pointer backend: generated accessors become plain loads and stores at the right addresses.</summary>
[Trait("Category", "Model")]
public sealed unsafe class MmioPointerTests
{
    [Fact]
    public void Generated_accessors_read_and_write_the_mapped_memory()
    {
        byte* bar = (byte*)NativeMemory.AlignedAlloc(0x20000, 4096);
        try
        {
            NativeMemory.Clear(bar, 0x20000);
            var igb = new Igb<MmioPointer<MonotonicClock>>(new MmioPointer<MonotonicClock>(bar));
            var ctrl = igb.CTRL.Read();
            ctrl.SLU = true;
            igb.CTRL.Write(ctrl);
            Assert.Equal(1u << 6, *(uint*)bar);                       // CTRL.SLU is bit 6 at offset 0
            igb.MTA(5).Write(0xDEADBEEF);
            Assert.Equal(0xDEADBEEFu, *(uint*)(bar + 0x5200 + 5 * 4));
            *(uint*)(bar + 0x8) = 1u << 1;                           // STATUS.LU as the device would set it
            Assert.True(igb.STATUS.Read().LU);
            igb.RxQueue(1).RDT.Write(17);
            Assert.Equal(17u, *(uint*)(bar + 0xC000 + 0x40 + 0x18));
        }
        finally { NativeMemory.AlignedFree(bar); }
    }

    [Fact]
    public void Delay_waits_on_the_platform_clock()
    {
        var io = new MmioPointer<MonotonicClock>(null);
        var clock = Stopwatch.StartNew();
        io.Delay(20_000);
        Assert.InRange(clock.Elapsed.TotalMilliseconds, 19.9, 2000);
    }
}
