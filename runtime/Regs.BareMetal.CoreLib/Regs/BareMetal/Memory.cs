using System.Runtime;
using System.Runtime.CompilerServices;

namespace Regs.BareMetal
{
    /// <summary>
    /// Memory move and clear: what Span uses and what the code generator calls for block copies
    /// and zeroing (exported as memmove, memcpy and memset; there is no C library).
    /// </summary>
    public static unsafe class Memory
    {
        /// <summary>Copies <paramref name="length"/> bytes; the regions may overlap.</summary>
        public static void Move(void* destination, void* source, nuint length)
        {
            byte* d = (byte*)destination, s = (byte*)source;
            if (d == s || length == 0) return;
            if (d < s || d >= s + length)
            {
                nuint i = 0;
                for (; i + 8 <= length; i += 8) *(ulong*)(d + i) = *(ulong*)(s + i);
                for (; i < length; i++) d[i] = s[i];
            }
            else
            {
                nuint i = length;
                for (; i >= 8; i -= 8) *(ulong*)(d + i - 8) = *(ulong*)(s + i - 8);
                for (; i > 0; i--) d[i - 1] = s[i - 1];
            }
        }

        /// <summary>Sets <paramref name="length"/> bytes to zero.</summary>
        public static void Clear(void* destination, nuint length) => Set(destination, 0, length);

        /// <summary>Sets <paramref name="length"/> bytes to <paramref name="value"/>.</summary>
        public static void Set(void* destination, byte value, nuint length)
        {
            byte* d = (byte*)destination;
            ulong pattern = value * 0x0101010101010101ul;
            nuint i = 0;
            for (; i + 8 <= length; i += 8) *(ulong*)(d + i) = pattern;
            for (; i < length; i++) d[i] = value;
        }

        /// <summary>The address of <paramref name="value"/> (memory never moves: there is no GC).</summary>
        public static void* AddressOf<T>(ref T value)
        {
            fixed (T* p = &value) return p;
        }

        // The C library names the code generator emits calls to.
        [RuntimeExport("memmove")]
        private static void* MemMove(void* destination, void* source, nuint length) { Move(destination, source, length); return destination; }

        [RuntimeExport("memcpy")]
        private static void* MemCpy(void* destination, void* source, nuint length) { Move(destination, source, length); return destination; }

        [RuntimeExport("memset")]
        private static void* MemSet(void* destination, int value, nuint length) { Set(destination, (byte)value, length); return destination; }
    }
}
