using Regs.Nic;
using Regs.Runtime;
using Regs.Virtio;

namespace Regs.Drivers.Virtio;

/// <summary>
/// The legacy virtio-mmio transport, Version 1 (virtio 1.2 section 4.2.4): page-numbered queues
/// in one contiguous area, no FEATURES_OK step and no configuration generation.
/// </summary>
public readonly struct VirtioMmioLegacyTransport<TAccess> : IVirtioTransport<TAccess> where TAccess : struct, IRegisterAccess<TAccess>
{
    /// <summary>The page size told to the device (GuestPageSize, 4.2.4): QueuePFN counts these.</summary>
    public const uint PageSize = 4096;

    // The register window QEMU maps for a virtio-mmio device: control registers, then configuration.
    private const uint ConfigWindowEnd = VirtioMmioLegacy.WindowBytes;

    private readonly VirtioMmioLegacy<TAccess> _regs;

    private VirtioMmioLegacyTransport(TAccess registers) { _regs = new VirtioMmioLegacy<TAccess>(registers); }

    /// <summary>Opens the transport at <paramref name="registers"/> if it holds a legacy device of <paramref name="type"/>.</summary>
    public static NicStatus TryOpen(TAccess registers, VirtioDeviceType type, out VirtioMmioLegacyTransport<TAccess> transport)
    {
        transport = new VirtioMmioLegacyTransport<TAccess>(registers);
        var regs = transport._regs;
        if (regs.MagicValue.Read() != VirtioMmioLegacy.ExpectedMagic) return NicStatus.NotFound;
        if (regs.Version.Read() != VirtioMmioLegacy.LegacyVersion) return NicStatus.Unsupported;
        if (regs.DeviceID.Read().Value != type) return NicStatus.NotFound;
        return NicStatus.Ok;
    }

    /// <inheritdoc/>
    public void AllowDma() { }   // a platform device: no bus-master switch

    /// <inheritdoc/>
    public bool Modern => false;
    /// <inheritdoc/>
    public TAccess DeviceConfig => _regs.Io.At(VirtioMmioLegacy.ConfigOffset);
    /// <summary>From ConfigOffset to the end of the 0x200-byte window QEMU maps (4.2.4): the device-specific size is not reported.</summary>
    public uint DeviceConfigLength => ConfigWindowEnd - VirtioMmioLegacy.ConfigOffset;
    /// <summary>Legacy devices have no generation counter (4.2.4): a constant makes one read a consistent snapshot.</summary>
    public uint ReadGeneration() => 0;
    /// <inheritdoc/>
    public DeviceStatus ReadStatus() => _regs.Status.Read().Value;
    /// <inheritdoc/>
    public void WriteStatus(DeviceStatus status) => _regs.Status.Write(status);
    /// <inheritdoc/>
    public ulong ReadDeviceFeatures()
    {
        // 4.2.4: only word 0 exists on a legacy device (no feature above bit 31 is ever offered).
        _regs.HostFeaturesSel.Write(0);
        return _regs.HostFeatures.Read();
    }
    /// <inheritdoc/>
    public void WriteDriverFeatures(ulong features)
    {
        // 4.2.4: only word 0 exists on a legacy device (no feature above bit 31 is ever offered).
        _regs.GuestFeaturesSel.Write(0);
        _regs.GuestFeatures.Write((uint)features);
    }
    /// <inheritdoc/>
    public uint QueueSizeMax(uint queue) => _regs.Queue(queue).QueueNumMax.Read();

    /// <inheritdoc/>
    public bool EnableQueue(uint queue, uint size, ulong descriptors, ulong driverArea, ulong deviceArea, uint vector, out uint notifyOffset)
    {
        notifyOffset = 0;
        if (vector != VirtioPciCap.NoVector) return false;     // no MSI-X on virtio-mmio
        // 4.2.4.3 and 2.7.2 (legacy interfaces): one area from a page boundary, the available ring
        // right after the descriptors and the used ring at the next Queue Align boundary (the
        // alignment VirtqueueSplit lays the ring out with, told to the device in QueueAlign).
        if (descriptors % PageSize != 0 || driverArea != descriptors + VirtqueueSplit.DriverAreaOffset(size)) return false;
        if (deviceArea != descriptors + VirtqueueSplit.DeviceAreaOffset(size) || descriptors / PageSize > uint.MaxValue) return false;
        _regs.GuestPageSize.Write(PageSize);
        var q = _regs.Queue(queue);
        if (q.QueuePFN.Read() != 0) return false;
        q.QueueNum.Write(size);
        q.QueueAlign.Write(VirtqueueSplit.QueueAlign);
        q.QueuePFN.Write((uint)(descriptors / PageSize));
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
        var ack = new VirtioMmioLegacy.InterruptACK { UsedBuffer = pending.UsedBuffer, ConfigChange = pending.ConfigChange };
        _regs.InterruptACK.Write(ack);
        return new VirtioInterrupt(pending.UsedBuffer, pending.ConfigChange);
    }
}
