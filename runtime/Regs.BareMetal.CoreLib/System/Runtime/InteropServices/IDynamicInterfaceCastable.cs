using Regs.BareMetal;

namespace System.Runtime.InteropServices
{
    /// <summary>
    /// ILC's scanner looks this interface and its dispatch helper up by name (body substitutions);
    /// nothing implements it here, so the helper is never reached.
    /// </summary>
    internal unsafe interface IDynamicInterfaceCastable
    {
        internal static nint GetDynamicInterfaceImplementation(IDynamicInterfaceCastable instance, void* interfaceType, ushort slot)
        {
            FailFast.Halt(FailFast.Reason.Unsupported);
            return 0;
        }
    }
}
