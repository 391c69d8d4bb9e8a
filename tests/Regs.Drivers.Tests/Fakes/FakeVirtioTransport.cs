using Regs.Drivers.Virtio;
using Regs.Runtime;
using Regs.Virtio;

namespace Regs.Drivers.Tests.Fakes;

/// <summary>
/// <see cref="IVirtioTransport{TAccess}"/> over a <see cref="FakeVirtioDevice"/>: every call is
/// answered by the device's script, so a driver can be tested without any transport's registers.
/// </summary>
public readonly struct FakeVirtioTransport : IVirtioTransport<FakeConfigAccess>
{
    private readonly FakeVirtioDevice _device;

    /// <summary>The transport of <paramref name="device"/>.</summary>
    public FakeVirtioTransport(FakeVirtioDevice device) { _device = device; }

    /// <inheritdoc/>
    public void AllowDma() => _device.AllowDma();
    /// <inheritdoc/>
    public bool Modern => _device.Modern;
    /// <inheritdoc/>
    public FakeConfigAccess DeviceConfig => new(_device, 0);
    /// <inheritdoc/>
    public uint DeviceConfigLength => _device.ConfigLength;
    /// <summary>The device's generation counter; 0 always on a legacy interface, which has none.</summary>
    public uint ReadGeneration() => _device.ReadGeneration();
    /// <inheritdoc/>
    public DeviceStatus ReadStatus() => _device.ReadStatus();
    /// <inheritdoc/>
    public void WriteStatus(DeviceStatus status) => _device.WriteStatus(status);
    /// <inheritdoc/>
    public ulong ReadDeviceFeatures() => _device.ReadFeatures();
    /// <inheritdoc/>
    public void WriteDriverFeatures(ulong features) => _device.WriteFeatures(features);
    /// <inheritdoc/>
    public uint QueueSizeMax(uint queue) => _device.MaxQueueSize(queue);
    /// <inheritdoc/>
    public bool EnableQueue(uint queue, uint size, ulong descriptors, ulong driverArea, ulong deviceArea, uint vector, out uint notifyOffset)
        => _device.EnableQueue(queue, size, descriptors, driverArea, deviceArea, vector, out notifyOffset);
    /// <inheritdoc/>
    public bool SetConfigVector(uint vector) => _device.SetConfigVector(vector);
    /// <inheritdoc/>
    public void Notify(uint queue, uint notifyOffset) => _device.Notify(queue, notifyOffset);
    /// <inheritdoc/>
    public VirtioInterrupt TakeInterrupt() => _device.TakeInterrupt();
    /// <inheritdoc/>
    public void EnableLineInterrupt(bool enabled) => _device.EnableLineInterrupt(enabled);
}

/// <summary>
/// The register backend of a <see cref="FakeVirtioDevice"/>'s configuration space: reads come
/// from the device's script (which may change the configuration in the middle of a read); the
/// driver never writes it (virtio-net's configuration is read-only), so writes are ignored.
/// </summary>
public readonly struct FakeConfigAccess : IRegisterAccess<FakeConfigAccess>
{
    private readonly FakeVirtioDevice _device;
    private readonly nuint _base;

    /// <summary>The configuration space of <paramref name="device"/> from <paramref name="baseOffset"/>.</summary>
    public FakeConfigAccess(FakeVirtioDevice device, nuint baseOffset) { _device = device; _base = baseOffset; }

    /// <inheritdoc/>
    public byte Read8(nuint offset) => (byte)_device.ReadConfig(_base + offset, 1);
    /// <inheritdoc/>
    public ushort Read16(nuint offset) => (ushort)_device.ReadConfig(_base + offset, 2);
    /// <inheritdoc/>
    public uint Read32(nuint offset) => _device.ReadConfig(_base + offset, 4);
    /// <inheritdoc/>
    public void Write8(nuint offset, byte value) { }
    /// <inheritdoc/>
    public void Write16(nuint offset, ushort value) { }
    /// <inheritdoc/>
    public void Write32(nuint offset, uint value) { }
    /// <inheritdoc/>
    public FakeConfigAccess At(nuint offset) => new(_device, _base + offset);
    /// <inheritdoc/>
    public void Delay(uint microseconds) { }
}
