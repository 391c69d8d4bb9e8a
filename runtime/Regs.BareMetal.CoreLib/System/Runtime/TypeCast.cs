using Regs.BareMetal;

namespace System.Runtime
{
    /// <summary>
    /// The cast and array-store helpers ILC requires of its system module. Bare-metal code does not
    /// cast classes; what is here is the minimum: class casts walk the base-type chain, interface
    /// and variant casts halt (<see cref="FailFast.Reason.InvalidCast"/>), array stores skip the
    /// covariance check. MethodTable layout (ILC contract): 4 bytes flags, 4 bytes base size, then
    /// the related (base) type pointer.
    /// </summary>
    internal static unsafe class TypeCast
    {
        private static void* MethodTableOf(object obj) => *(void**)*(void**)&obj;

        private static bool Derives(void* type, void* target)
        {
            for (; type != null; type = ((void**)type)[1])
                if (type == target) return true;
            return false;
        }

        internal static object IsInstanceOfClass(void* targetType, object obj)
            => obj == null || Derives(MethodTableOf(obj), targetType) ? obj : null;

        internal static object CheckCastClass(void* targetType, object obj)
        {
            if (obj != null && !Derives(MethodTableOf(obj), targetType)) FailFast.Halt(FailFast.Reason.InvalidCast);
            return obj;
        }

        internal static object CheckCastClassSpecial(void* targetType, object obj) => CheckCastClass(targetType, obj);

        internal static object IsInstanceOfAny(void* targetType, object obj) => Unsupported(obj);
        internal static object IsInstanceOfInterface(void* targetType, object obj) => Unsupported(obj);
        internal static object CheckCastAny(void* targetType, object obj) => Unsupported(obj);
        internal static object CheckCastInterface(void* targetType, object obj) => Unsupported(obj);
        internal static bool IsInstanceOfException(void* targetType, object obj) { Unsupported(obj); return false; }

        private static object Unsupported(object obj)
        {
            if (obj != null) FailFast.Halt(FailFast.Reason.InvalidCast);
            return null;
        }

        // Element addresses computed by hand: ldelema or fixed on an object[] would call these very helpers.
        // Layout (ILC contract, 64-bit): MethodTable pointer, 4-byte length, 4 bytes padding, elements.
        private static object* Element(object[] array, nint index)
        {
            if ((nuint)index >= (nuint)array.Length) FailFast.Halt(FailFast.Reason.IndexOutOfRange);
            return (object*)((byte*)*(void**)&array + 2 * sizeof(void*)) + index;
        }

        internal static void StelemRef(object[] array, nint index, object obj) => *Element(array, index) = obj;

        internal static ref object LdelemaRef(object[] array, nint index, void* elementType) => ref *Element(array, index);
    }
}
