namespace Regs.Nic;

/// <summary>How a driver operation ended: errors are values, never exceptions.</summary>
public enum NicStatus
{
    /// <summary>Success.</summary>
    Ok = 0,
    /// <summary>No device of the expected kind answered (wrong ID, magic or version).</summary>
    NotFound,
    /// <summary>The device does not offer a feature the driver requires.</summary>
    Unsupported,
    /// <summary>The device did not finish an operation within the bounded wait.</summary>
    Timeout,
    /// <summary>The device reported an error or broke the protocol (an id, length or index it could not have produced); it was reset.</summary>
    DeviceError,
    /// <summary>The host ran out of DMA or private memory.</summary>
    OutOfMemory,
    /// <summary>The operation needs an initialised device.</summary>
    NotInitialised,
}
