namespace System.Runtime.CompilerServices
{
    // Attributes the C# compiler emits or reads. Defined here once, so the compiler does not
    // embed private copies in every assembly.

    /// <summary>How a method is compiled.</summary>
    [AttributeUsage(AttributeTargets.Constructor | AttributeTargets.Method, Inherited = false)]
    public sealed class MethodImplAttribute : Attribute
    {
        /// <summary>The options.</summary>
        public MethodImplAttribute(MethodImplOptions methodImplOptions) { Value = methodImplOptions; }
        /// <summary>The options.</summary>
        public MethodImplOptions Value { get; }
    }

    /// <summary>Options of <see cref="MethodImplAttribute"/>.</summary>
    [Flags]
    public enum MethodImplOptions
    {
        Unmanaged = 0x0004, NoInlining = 0x0008, ForwardRef = 0x0010, Synchronized = 0x0020,
        NoOptimization = 0x0040, PreserveSig = 0x0080, AggressiveInlining = 0x0100,
        AggressiveOptimization = 0x0200, InternalCall = 0x1000,
    }

    /// <summary>A readonly struct, in parameter or ref readonly return.</summary>
    [AttributeUsage(AttributeTargets.All, Inherited = false)]
    public sealed class IsReadOnlyAttribute : Attribute { }

    /// <summary>A ref struct.</summary>
    [AttributeUsage(AttributeTargets.Struct)]
    public sealed class IsByRefLikeAttribute : Attribute { }

    /// <summary>The unmanaged constraint.</summary>
    [AttributeUsage(AttributeTargets.All)]
    public sealed class IsUnmanagedAttribute : Attribute { }

    /// <summary>Marks compiler-generated code.</summary>
    [AttributeUsage(AttributeTargets.All, Inherited = true)]
    public sealed class CompilerGeneratedAttribute : Attribute { }

    /// <summary>The nullability of a reference type in a signature.</summary>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Event | AttributeTargets.Field | AttributeTargets.GenericParameter | AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.ReturnValue, Inherited = false)]
    public sealed class NullableAttribute : Attribute
    {
        /// <summary>One flag.</summary>
        public NullableAttribute(byte value) { }
        /// <summary>Flags per type in the signature.</summary>
        public NullableAttribute(byte[] value) { }
    }

    /// <summary>The default nullability of a scope.</summary>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Delegate | AttributeTargets.Interface | AttributeTargets.Method | AttributeTargets.Struct, Inherited = false)]
    public sealed class NullableContextAttribute : Attribute
    {
        /// <summary>The flag.</summary>
        public NullableContextAttribute(byte value) { }
    }

    /// <summary>Marks the ref safety rules the module was compiled with.</summary>
    [AttributeUsage(AttributeTargets.Module, Inherited = false)]
    public sealed class RefSafetyRulesAttribute : Attribute
    {
        /// <summary>The version.</summary>
        public RefSafetyRulesAttribute(int version) { }
    }

    /// <summary>A feature a consumer's compiler must understand.</summary>
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true, Inherited = false)]
    public sealed class CompilerFeatureRequiredAttribute : Attribute
    {
        /// <summary>The feature.</summary>
        public CompilerFeatureRequiredAttribute(string featureName) { }
    }

    /// <summary>Compiler and runtime features the C# compiler checks for by name.</summary>
    public static class RuntimeFeature
    {
        /// <summary>Static abstract and virtual interface members (ILC resolves them on struct instantiations).</summary>
        public const string VirtualStaticsInInterfaces = nameof(VirtualStaticsInInterfaces);
        /// <summary>Static (non-abstract) interface members; ILC needs one in the core library. Default interface methods called on structs box: do not use them.</summary>
        public const string DefaultImplementationsOfInterfaces = nameof(DefaultImplementationsOfInterfaces);
        /// <summary>nint and nuint are IntPtr and UIntPtr (no NativeIntegerAttribute embedded in every assembly).</summary>
        public const string NumericIntPtr = nameof(NumericIntPtr);
        /// <summary>delegate* unmanaged (the UEFI services are called through them).</summary>
        public const string UnmanagedSignatureCallingConvention = nameof(UnmanagedSignatureCallingConvention);
    }

    /// <summary>A method the code generator implements itself (ILC and RyuJIT recognise it by name).</summary>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Method | AttributeTargets.Constructor | AttributeTargets.Field, Inherited = false)]
    internal sealed class IntrinsicAttribute : Attribute { }
}

namespace System.Runtime.InteropServices
{
    /// <summary>How the fields of a type are laid out.</summary>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
    public sealed class StructLayoutAttribute : Attribute
    {
        /// <summary>The kind of layout.</summary>
        public StructLayoutAttribute(LayoutKind layoutKind) { Value = layoutKind; }
        /// <summary>The kind of layout.</summary>
        public LayoutKind Value { get; }
        /// <summary>Field alignment.</summary>
        public int Pack;
        /// <summary>Total size.</summary>
        public int Size;
    }

    /// <summary>Layout kinds.</summary>
    public enum LayoutKind { Sequential = 0, Explicit = 2, Auto = 3 }

    /// <summary>The offset of a field in an explicit layout.</summary>
    [AttributeUsage(AttributeTargets.Field, Inherited = false)]
    public sealed class FieldOffsetAttribute : Attribute
    {
        /// <summary>The offset in bytes.</summary>
        public FieldOffsetAttribute(int offset) { Value = offset; }
        /// <summary>The offset in bytes.</summary>
        public int Value { get; }
    }
}

namespace System.Runtime
{
    /// <summary>ILC exports the method under this symbol name (entry points, helpers ILC or the linker look up).</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    public sealed class RuntimeExportAttribute : Attribute
    {
        /// <summary>The symbol.</summary>
        public RuntimeExportAttribute(string entry) { }
    }
}

namespace System.Runtime.InteropServices
{
    /// <summary>The modifier the compiler puts on ref readonly returns and in parameters.</summary>
    [AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
    public sealed class InAttribute : Attribute { }
}

namespace System.Reflection
{
    /// <summary>Names the indexer of a type (the compiler emits it for this[...]).</summary>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface)]
    public sealed class DefaultMemberAttribute : Attribute
    {
        /// <summary>The member name.</summary>
        public DefaultMemberAttribute(string memberName) { }
    }
}

namespace System.Runtime.InteropServices
{
    /// <summary>The compiler encodes the unmanaged constraint as a modifier naming this type.</summary>
    public enum UnmanagedType { }
}

namespace System.Runtime.CompilerServices
{
    /// <summary>The modifier the compiler puts on volatile fields.</summary>
    public static class IsVolatile { }
}
