namespace System
{
    /// <summary>The base of every attribute.</summary>
    public abstract class Attribute { }

    /// <summary>What an attribute may be applied to.</summary>
    [Flags]
    public enum AttributeTargets
    {
        Assembly = 0x0001, Module = 0x0002, Class = 0x0004, Struct = 0x0008, Enum = 0x0010,
        Constructor = 0x0020, Method = 0x0040, Property = 0x0080, Field = 0x0100, Event = 0x0200,
        Interface = 0x0400, Parameter = 0x0800, Delegate = 0x1000, ReturnValue = 0x2000,
        GenericParameter = 0x4000, All = 0x7FFF,
    }

    /// <summary>Where an attribute class may be used.</summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = true)]
    public sealed class AttributeUsageAttribute : Attribute
    {
        /// <summary>Targets.</summary>
        public AttributeUsageAttribute(AttributeTargets validOn) { ValidOn = validOn; }
        /// <summary>Targets.</summary>
        public AttributeTargets ValidOn { get; }
        /// <summary>Whether the attribute may be applied more than once.</summary>
        public bool AllowMultiple { get; set; }
        /// <summary>Whether derived classes inherit it.</summary>
        public bool Inherited { get; set; }
    }

    /// <summary>An enum whose values are bit sets.</summary>
    [AttributeUsage(AttributeTargets.Enum, Inherited = false)]
    public sealed class FlagsAttribute : Attribute { }
}
