namespace System
{
    // The primitive types: the C# compiler and ILC know them by name; each wraps itself.
    // They carry no members: operators on them are IL instructions.

    /// <summary>true or false.</summary>
    public struct Boolean { private bool m_value; }
    /// <summary>A UTF-16 code unit.</summary>
    public struct Char { private char m_value; }
    /// <summary>Signed 8 bits.</summary>
    public struct SByte
    {
        private sbyte m_value;
        /// <summary>The smallest value.</summary>
        public const sbyte MinValue = -128;
        /// <summary>The largest value.</summary>
        public const sbyte MaxValue = 127;
    }
    /// <summary>Unsigned 8 bits.</summary>
    public struct Byte
    {
        private byte m_value;
        /// <summary>The smallest value.</summary>
        public const byte MinValue = 0;
        /// <summary>The largest value.</summary>
        public const byte MaxValue = 255;
    }
    /// <summary>Signed 16 bits.</summary>
    public struct Int16
    {
        private short m_value;
        /// <summary>The smallest value.</summary>
        public const short MinValue = -32768;
        /// <summary>The largest value.</summary>
        public const short MaxValue = 32767;
    }
    /// <summary>Unsigned 16 bits.</summary>
    public struct UInt16
    {
        private ushort m_value;
        /// <summary>The smallest value.</summary>
        public const ushort MinValue = 0;
        /// <summary>The largest value.</summary>
        public const ushort MaxValue = 65535;
    }
    /// <summary>Signed 32 bits.</summary>
    public struct Int32
    {
        private int m_value;
        /// <summary>The smallest value.</summary>
        public const int MinValue = -2147483648;
        /// <summary>The largest value.</summary>
        public const int MaxValue = 2147483647;
    }
    /// <summary>Unsigned 32 bits.</summary>
    public struct UInt32
    {
        private uint m_value;
        /// <summary>The smallest value.</summary>
        public const uint MinValue = 0;
        /// <summary>The largest value.</summary>
        public const uint MaxValue = 4294967295;
    }
    /// <summary>Signed 64 bits.</summary>
    public struct Int64
    {
        private long m_value;
        /// <summary>The smallest value.</summary>
        public const long MinValue = -9223372036854775808;
        /// <summary>The largest value.</summary>
        public const long MaxValue = 9223372036854775807;
    }
    /// <summary>Unsigned 64 bits.</summary>
    public struct UInt64
    {
        private ulong m_value;
        /// <summary>The smallest value.</summary>
        public const ulong MinValue = 0;
        /// <summary>The largest value.</summary>
        public const ulong MaxValue = 18446744073709551615;
    }

    /// <summary>A pointer-sized signed integer (nint).</summary>
    public unsafe struct IntPtr { private void* _value; }

    /// <summary>A pointer-sized unsigned integer (nuint).</summary>
    public unsafe struct UIntPtr { private void* _value; }
}
