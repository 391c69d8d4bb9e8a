// Lets netstandard2.0 compile records and init accessors.
namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit { }
}
