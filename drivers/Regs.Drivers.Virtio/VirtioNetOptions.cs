namespace Regs.Drivers.Virtio;

/// <summary>How to run a virtio-net device. The default (all zero) is what a user wants.</summary>
public struct VirtioNetOptions
{
    /// <summary>Largest queue size to use (a power of two; the device's maximum if smaller; 0 for 256).</summary>
    public uint QueueSize;

    /// <summary>Sleep on the device's interrupt in <c>WaitForReceive</c> instead of polling.</summary>
    public bool InterruptMode;

    /// <summary>Do not negotiate RING_INDIRECT_DESC even when offered: buffers become two-descriptor chains.</summary>
    public bool NoIndirect;

    /// <summary>Do not negotiate RING_EVENT_IDX even when offered: notifications use the ring flags.</summary>
    public bool NoEventIdx;
}
