namespace Regs.Runtime;

// One-field structs holding a volatile value: the IL volatile prefix comes only from a volatile
// field, so a pointer to one of these is how memory shared with a device is read and written
// without the compiler caching or reordering the access.

/// <summary>A byte in memory shared with a device.</summary>
public struct Volatile8 { /// <summary>The value; every access is volatile.</summary>
    public volatile byte Value; }

/// <summary>A 16-bit word in memory shared with a device.</summary>
public struct Volatile16 { /// <summary>The value; every access is volatile.</summary>
    public volatile ushort Value; }

/// <summary>A 32-bit word in memory shared with a device.</summary>
public struct Volatile32 { /// <summary>The value; every access is volatile.</summary>
    public volatile uint Value; }
