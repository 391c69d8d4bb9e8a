using System.Runtime.CompilerServices;

namespace System.Threading
{
    /// <summary>Memory ordering the C# language has no syntax for.</summary>
    public static class Interlocked
    {
        /// <summary>
        /// A full fence. RyuJIT expands this intrinsic to a locked instruction (x64) or dmb (arm64);
        /// the body is never compiled (the same contract as the BCL's). The boot build checks the
        /// expansion: an image whose fence stayed a call would recurse.
        /// </summary>
        [Intrinsic]
        public static void MemoryBarrier() => MemoryBarrier();
    }
}
