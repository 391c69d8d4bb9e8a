// The generator compiles records too; it shares this polyfill rather than copying it.
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Regs.Generator")]

// Lets netstandard2.0 compile records and init accessors.
namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit { }
}
