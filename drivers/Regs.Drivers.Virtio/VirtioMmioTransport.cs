using Regs.Nic;
using Regs.Runtime;
using Regs.Virtio;

namespace Regs.Drivers.Virtio;

/// <summary>The modern virtio-mmio transport, Version 2 (virtio 1.2 section 4.2.2, 4.2.3).</summary>
public readonly struct VirtioMmioTransport<TAccess> : IVirtioTransport<TAccess> where TAccess : struct, IRegisterAccess<TAccess>
{
    // The register window QEMU maps for a virtio-mmio device: control registers, then configuration.
    private const uint ConfigWindowEnd = VirtioMmio.WindowBytes;

    private readonly VirtioMmio<TAccess> _regs;

    private VirtioMmioTransport(TAccess registers) { _regs = new VirtioMmio<TAccess>(registers); }

    /// <summary>
    /// Opens the transport at <paramref name="registers"/> if it holds a modern device of
    /// <paramref name="type"/> (4.2.3.1.1: check MagicValue and Version, ignore DeviceID 0).
    /// </summary>
    public static NicStatus TryOpen(TAccess registers, VirtioDeviceType type, out VirtioMmioTransport<TAccess> transport)
    {
        transport = new VirtioMmioTransport<TAccess>(registers);
        var regs = transport._regs;
        if (regs.MagicValue.Read() != VirtioMmio.ExpectedMagic) return NicStatus.NotFound;
        if (regs.Version.Read() != VirtioMmio.ModernVersion) return NicStatus.Unsupported;
        if (regs.DeviceID.Read().Value != type) return NicStatus.NotFound;
        return NicStatus.Ok;
    }

    /// <inheritdoc/>
    public void AllowDma() { }   // a platform device: no bus-master switch

    /// <inheritdoc/>
    public bool Modern => true;
    /// <inheritdoc/>
    public TAccess DeviceConfig => _regs.Io.At(VirtioMmio.ConfigOffset);
    /// <summary>From ConfigOffset to the end of the 0x200-byte window QEMU maps (4.2.2): the device-specific size is not reported.</summary>
    public uint DeviceConfigLength => ConfigWindowEnd - VirtioMmio.ConfigOffset;
    /// <inheritdoc/>
    public uint ReadGeneration() => _regs.ConfigGeneration.Read();
    /// <inheritdoc/>
    public DeviceStatus ReadStatus() => _regs.Status.Read().Value;
    /// <inheritdoc/>
    public void WriteStatus(DeviceStatus status) => _regs.Status.Write(status);
    /// <inheritdoc/>
    public ulong ReadDeviceFeatures() => _regs.DeviceFeatures.Read();
    /// <inheritdoc/>
    public void WriteDriverFeatures(ulong features) => _regs.DriverFeatures.Write(features);
    /// <inheritdoc/>
    public uint QueueSizeMax(uint queue) => _regs.Queue(queue).QueueNumMax.Read();

    /// <inheritdoc/>
    public bool EnableQueue(uint queue, uint size, ulong descriptors, ulong driverArea, ulong deviceArea, uint vector, out uint notifyOffset)
    {
        notifyOffset = 0;
        if (vector != VirtioPciCap.NoVector) return false;     // no MSI-X on virtio-mmio
        // 4.2.3.2: select, check it is not in use, size, the three areas, then QueueReady.
        var q = _regs.Queue(queue);
        if (q.QueueReady.Read() != 0) return false;
        q.QueueNum.Write(size);
        q.QueueDesc.Write(descriptors);
        q.QueueDriver.Write(driverArea);
        q.QueueDevice.Write(deviceArea);
        q.QueueReady.Write(1);
        return true;
    }

    /// <summary>virtio-mmio has one interrupt line and no MSI-X: only "no vector" is accepted.</summary>
    public bool SetConfigVector(uint vector) => vector == VirtioPciCap.NoVector;

    /// <inheritdoc/>
    public void Notify(uint queue, uint notifyOffset) => _regs.QueueNotify.Write(queue);

    /// <summary>virtio-mmio has no interrupt mask of its own: the platform's interrupt controller masks the line.</summary>
    public void EnableLineInterrupt(bool enabled) { }

    /// <inheritdoc/>
    public VirtioInterrupt TakeInterrupt()
    {
        var pending = _regs.InterruptStatus.Read();
        var ack = new VirtioMmio.InterruptACK { UsedBuffer = pending.UsedBuffer, ConfigChange = pending.ConfigChange };
        _regs.InterruptACK.Write(ack);
        return new VirtioInterrupt(pending.UsedBuffer, pending.ConfigChange);
    }
}
