using System.Threading;

namespace Regs.Runtime.Models;

/// <summary>
/// One register region of a device model (a BAR, a virtio-mmio window, configuration space).
/// Accesses arrive with their width, as they would on a bus; every access is counted so the demo
/// can show a register-access trace summary.
/// </summary>
public abstract class ModelRegion
{
    private long _reads, _writes;

    /// <summary>The model this region belongs to; its lock serialises device behaviour.</summary>
    protected ModelRegion(DeviceModel device) { Device = device; }

    /// <summary>The model this region belongs to.</summary>
    public DeviceModel Device { get; }

    /// <summary>Register reads so far.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Register writes so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>A bus read of <paramref name="size"/> (1, 2 or 4) bytes.</summary>
    public uint Read(nuint offset, int size)
    {
        Interlocked.Increment(ref _reads);
        lock (Device.Network.Lock)
        {
            uint value = OnRead(offset, size);
            Device.Network.Drain();
            return value;
        }
    }

    /// <summary>A bus write of <paramref name="size"/> (1, 2 or 4) bytes.</summary>
    public void Write(nuint offset, int size, uint value)
    {
        Interlocked.Increment(ref _writes);
        lock (Device.Network.Lock)
        {
            OnWrite(offset, size, value);
            Device.Network.Drain();
        }
    }

    /// <summary>The device's answer to a read; unimplemented registers read 0.</summary>
    protected abstract uint OnRead(nuint offset, int size);

    /// <summary>The device's reaction to a write; writes to unimplemented registers are ignored.</summary>
    protected abstract void OnWrite(nuint offset, int size, uint value);
}
