namespace System.Runtime.CompilerServices
{
    /// <summary>
    /// Runs static constructors ILC could not evaluate at build time, on first access to the type
    /// (single-threaded: bare metal runs one CPU). Without this class ILC would drop such
    /// constructors silently and the fields would read 0.
    /// </summary>
    internal static unsafe class ClassConstructorRunner
    {
        private static nint CheckStaticClassConstructionReturnNonGCStaticBase(ref StaticClassConstructionContext context, nint nonGcStaticBase)
        {
            EnsureClassConstructorRun(ref context);
            return nonGcStaticBase;
        }

        private static object CheckStaticClassConstructionReturnGCStaticBase(ref StaticClassConstructionContext context, object gcStaticBase)
        {
            EnsureClassConstructorRun(ref context);
            return gcStaticBase;
        }

        private static void EnsureClassConstructorRun(ref StaticClassConstructionContext context)
        {
            nint cctor = context.cctorMethodAddress;
            if (cctor == 0) return;
            context.cctorMethodAddress = 0;   // before the call: a constructor touching its own type does not recurse
            ((delegate*<void>)cctor)();
        }
    }

    /// <summary>Per-type state ILC emits next to the static fields of a type with a lazy static constructor.</summary>
    internal struct StaticClassConstructionContext
    {
        /// <summary>The static constructor; 0 once it ran.</summary>
        public nint cctorMethodAddress;
    }
}
