using System.Runtime;

namespace Regs.BareMetal
{
    /// <summary>
    /// The no-GC bump allocator behind <c>new</c> for classes and arrays: memory the image hands
    /// over at start-up (UEFI AllocatePages), carved front to back, zeroed, never freed. Meant for
    /// initialisation only: call <see cref="Close"/> once the drivers are up, and any later
    /// allocation halts (<see cref="FailFast.Reason.OutOfMemory"/>) instead of leaking silently.
    /// </summary>
    public static unsafe class Heap
    {
        private static byte* s_next;
        private static byte* s_end;
        private static bool s_closed;

        /// <summary>Hands the allocator <paramref name="length"/> bytes at <paramref name="start"/> (8-byte aligned).</summary>
        public static void Initialize(void* start, nuint length)
        {
            s_next = (byte*)(((nuint)start + 7) & ~(nuint)7);
            s_end = (byte*)start + length;
            s_closed = false;
        }

        /// <summary>Bytes still available.</summary>
        public static nuint Remaining => s_next == null || s_closed ? 0 : (nuint)(s_end - s_next);

        /// <summary>Ends the initialisation phase: every later allocation halts.</summary>
        public static void Close() => s_closed = true;

        /// <summary>Zeroed memory of <paramref name="size"/> bytes, 8-byte aligned; halts when exhausted, uninitialised or closed.</summary>
        public static void* Allocate(nuint size)
        {
            size = (size + 7) & ~(nuint)7;
            if (s_next == null || s_closed || size > (nuint)(s_end - s_next)) FailFast.Halt(FailFast.Reason.OutOfMemory);
            byte* p = s_next;
            s_next += size;
            Memory.Clear(p, size);
            return p;
        }

        // The allocation helpers ILC calls for newobj and newarr. MethodTable layout (ILC contract):
        // uint flags whose low 16 bits are the component size of arrays and strings, then uint base size.
        [RuntimeExport("RhpNewFast")]
        private static void* NewObject(void* methodTable)
        {
            void** o = (void**)Allocate(((uint*)methodTable)[1]);
            *o = methodTable;
            return o;
        }

        [RuntimeExport("RhpNewFinalizable")]
        private static void* NewFinalizable(void* methodTable) => NewObject(methodTable);

        [RuntimeExport("RhpNewArrayFast")]
        private static void* NewArray(void* methodTable, int length)
        {
            if (length < 0) FailFast.Halt(FailFast.Reason.Overflow);
            nuint size = ((uint*)methodTable)[1] + (nuint)(uint)length * (ushort)((uint*)methodTable)[0];
            void** o = (void**)Allocate(size);
            *o = methodTable;
            *(int*)(o + 1) = length;
            return o;
        }

        [RuntimeExport("RhpNewPtrArrayFast")]
        private static void* NewPointerArray(void* methodTable, int length) => NewArray(methodTable, length);
    }
}
