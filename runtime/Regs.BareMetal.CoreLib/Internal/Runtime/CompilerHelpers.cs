using System;
using System.Runtime;
using Regs.BareMetal;

namespace Internal.Runtime.CompilerHelpers
{
    /// <summary>
    /// ILC looks this class up in the system module; the helpers it may call are here. There is no
    /// GC and no thread suspension, so the managed/native transitions are empty.
    /// </summary>
    internal static unsafe class StartupCodeHelpers
    {
        [RuntimeExport("RhpReversePInvoke")]
        private static void ReversePInvoke(void* frame) { }

        [RuntimeExport("RhpReversePInvokeReturn")]
        private static void ReversePInvokeReturn(void* frame) { }

        [RuntimeExport("RhpPInvoke")]
        private static void PInvoke(void* frame) { }

        [RuntimeExport("RhpPInvokeReturn")]
        private static void PInvokeReturn(void* frame) { }

        // What the code generator calls when a stack cookie check fails.
        [RuntimeExport("RhpFallbackFailFast")]
        private static void FallbackFailFast() => FailFast.Halt(FailFast.Reason.StackCookie);
    }

    /// <summary>The helpers ILC calls where a full runtime would throw. They cannot throw here: they halt.</summary>
    internal static class ThrowHelpers
    {
        private static void ThrowOverflowException() => FailFast.Halt(FailFast.Reason.Overflow);
        private static void ThrowIndexOutOfRangeException() => FailFast.Halt(FailFast.Reason.IndexOutOfRange);
        private static void ThrowNullReferenceException() => FailFast.Halt(FailFast.Reason.NullReference);
        private static void ThrowDivideByZeroException() => FailFast.Halt(FailFast.Reason.DivideByZero);
        private static void ThrowArrayTypeMismatchException() => FailFast.Halt(FailFast.Reason.InvalidCast);
        private static void ThrowInvalidCastException() => FailFast.Halt(FailFast.Reason.InvalidCast);
        private static void ThrowPlatformNotSupportedException() => FailFast.Halt(FailFast.Reason.Unsupported);
        private static void ThrowTypeLoadException() => FailFast.Halt(FailFast.Reason.Unsupported);
        private static void ThrowArgumentException() => FailFast.Halt(FailFast.Reason.ArgumentOutOfRange);
        private static void ThrowArgumentOutOfRangeException() => FailFast.Halt(FailFast.Reason.ArgumentOutOfRange);
        private static void ThrowNotImplementedException() => FailFast.Halt(FailFast.Reason.Unsupported);
        private static void ThrowNotSupportedException() => FailFast.Halt(FailFast.Reason.Unsupported);
        // Bodies ILC removed (unreachable or trimmed features).
        private static void ThrowBodyRemoved() => FailFast.Halt(FailFast.Reason.Unsupported);
        private static void ThrowFeatureBodyRemoved() => FailFast.Halt(FailFast.Reason.Unsupported);
        private static void ThrowInstanceBodyRemoved() => FailFast.Halt(FailFast.Reason.Unsupported);
    }
}

namespace Internal.Runtime
{
    /// <summary>
    /// The stack cookie the JIT's buffer-overrun checks read (windows targets: methods with
    /// stackalloc or fixed buffers store it in the frame and compare it on return, calling
    /// RhpFallbackFailFast on a mismatch). It must be a symbol named __security_cookie; without a C
    /// runtime the cheapest one is this method: only its first 8 code bytes are ever read, never
    /// executed or written, so the cookie is a constant of the image.
    /// </summary>
    internal static class StackCookie
    {
        [RuntimeExport("__security_cookie")]
        private static ulong Cookie() => 0x2B992DDFA232;
    }
}
