using System.Runtime.CompilerServices;

namespace Regs.BareMetal
{
    /// <summary>
    /// Where bare-metal code goes when it cannot continue: there are no exceptions, so failed bounds
    /// checks, arithmetic overflow, allocation past the heap and the compiler's throw helpers all
    /// end here. The image may install a handler (print the reason, power off); without one, or
    /// when the handler returns, the CPU spins forever.
    /// </summary>
    public static unsafe class FailFast
    {
        /// <summary>Why execution stopped.</summary>
        public enum Reason
        {
            /// <summary>An explicit call.</summary>
            Requested = 1,
            /// <summary>An array or span index was out of range.</summary>
            IndexOutOfRange,
            /// <summary>A slice or length argument was out of range.</summary>
            ArgumentOutOfRange,
            /// <summary>A checked conversion or operation overflowed.</summary>
            Overflow,
            /// <summary>Division by zero.</summary>
            DivideByZero,
            /// <summary>A null reference was used where ILC checks explicitly.</summary>
            NullReference,
            /// <summary>The bump heap was exhausted, not initialised, or closed.</summary>
            OutOfMemory,
            /// <summary>A cast failed or a type check went wrong.</summary>
            InvalidCast,
            /// <summary>Code that throws on a full runtime (an unsupported feature) was reached.</summary>
            Unsupported,
            /// <summary>The stack cookie of a frame was overwritten (stack buffer overrun).</summary>
            StackCookie,
        }

        /// <summary>Called with the reason before the CPU halts; set it once at start-up (a static method's address).</summary>
        public static delegate*<Reason, void> Handler;

        /// <summary>Stops: runs <see cref="Handler"/> (once; a failure inside it does not recurse), then spins.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Halt(Reason reason)
        {
            delegate*<Reason, void> handler = Handler;
            Handler = null;
            if (handler != null) handler(reason);
            while (true) { }
        }
    }
}
