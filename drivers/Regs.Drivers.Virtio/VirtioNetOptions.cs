namespace Regs.Drivers.Virtio;

/// <summary>How to run a virtio-net device.</summary>
public struct VirtioNetOptions
{
    /// <summary>Largest queue size to use (a power of two; the device's maximum if smaller; 0 for 256).</summary>
    public uint QueueSize;

    /// <summary>Sleep on the device's interrupt in <c>WaitForReceive</c> instead of polling.</summary>
    public bool InterruptMode;
}
