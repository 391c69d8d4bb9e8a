namespace System
{
    /// <summary>The root of every class. Its one field is the MethodTable pointer ILC lays out at offset 0.</summary>
    public class Object
    {
        private unsafe void* _methodTable;

        /// <summary>Nothing to construct.</summary>
        public Object() { }
    }

    /// <summary>The base of every struct.</summary>
    public abstract class ValueType { }

    /// <summary>The base of every enum. No members: Enum methods box.</summary>
    public abstract class Enum : ValueType { }

    /// <summary>The return type of methods that return nothing.</summary>
    public struct Void { }

    /// <summary>
    /// Immutable UTF-16 text. Only literals exist (ILC lays them out frozen in the image); nothing
    /// creates strings at run time.
    /// </summary>
    public sealed class String
    {
        // Layout contract with ILC: length, then the characters.
        private readonly int _stringLength;
        private char _firstChar;

        private String() { }

        /// <summary>The number of UTF-16 code units.</summary>
        public int Length => _stringLength;

        /// <summary>The first character, for <c>fixed (char* p = literal)</c>.</summary>
        public ref readonly char GetPinnableReference() => ref _firstChar;
    }

    /// <summary>The base of every array type (ILC builds array types on it).</summary>
    public abstract class Array
    {
        // Layout contract with ILC: the element count follows the MethodTable pointer.
        private int _numComponents;

        /// <summary>The number of elements (the C# compiler emits ldlen for T[]).</summary>
        public int Length => _numComponents;
    }

    /// <summary>ILC builds the MethodTables of T[] on this type (it fails without it).</summary>
    internal class Array<T> : Array { }

    /// <summary>The C# compiler requires it (it checks method groups against it); delegates are not supported.</summary>
    public abstract class Delegate { }

    /// <summary>The C# compiler requires it next to <see cref="Delegate"/>; delegates are not supported.</summary>
    public abstract class MulticastDelegate : Delegate { }

    /// <summary>The JIT asks ILC for this class when it compiles methods that touch strings; never instantiated.</summary>
    internal sealed class RuntimeType { }
}
