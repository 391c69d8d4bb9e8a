using System.Runtime.InteropServices;
using Regs.Runtime.Hosted;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>The poison check the model benches use to catch writes outside a driver's buffers.</summary>
public sealed unsafe class DmaArenaTests
{
    [Fact]
    public void Writes_into_alignment_gaps_and_the_tail_are_counted_writes_into_buffers_are_not()
    {
        byte* block = (byte*)NativeMemory.AlignedAlloc(4096, 4096);
        try
        {
            var arena = new DmaArena(block, 0x1000, 4096);
            arena.Poison(0xA5);
            var a = arena.Allocate(10, 1);       // [0, 10)
            var b = arena.Allocate(100, 64);     // [64, 164): gap [10, 64)
            Assert.Equal(0, arena.BytesChangedOutsideBuffers(0xA5));

            a.Span.Fill(1);
            b.Span.Fill(2);
            Assert.Equal(0, arena.BytesChangedOutsideBuffers(0xA5));

            block[10] = 0;                       // first byte of the gap
            block[63] = 0;                       // last byte of the gap
            block[164] = 0;                      // first byte of the tail
            block[4095] = 0;                     // last byte of the block
            Assert.Equal(4, arena.BytesChangedOutsideBuffers(0xA5));
        }
        finally { NativeMemory.AlignedFree(block); }
    }
}
