using Regs.BareMetal;

namespace System
{
    // Block copy and fill helpers ILC maps the code generator's memcpy/memset/memzero (cpblk,
    // initblk, large struct copies) and the bulk write barrier to. Internal: nothing else calls them.

    internal static unsafe class SpanHelpers
    {
        internal static void Memmove(ref byte destination, ref byte source, nuint length)
            => Memory.Move(Memory.AddressOf(ref destination), Memory.AddressOf(ref source), length);

        internal static void Fill(ref byte destination, byte value, nuint length)
            => Memory.Set(Memory.AddressOf(ref destination), value, length);

        internal static void ClearWithoutReferences(ref byte destination, nuint length)
            => Memory.Set(Memory.AddressOf(ref destination), 0, length);
    }

    internal static unsafe class Buffer
    {
        // There is no GC: moving memory that holds object references needs no barrier.
        internal static void BulkMoveWithWriteBarrier(ref byte destination, ref byte source, nuint length)
            => Memory.Move(Memory.AddressOf(ref destination), Memory.AddressOf(ref source), length);
    }
}
