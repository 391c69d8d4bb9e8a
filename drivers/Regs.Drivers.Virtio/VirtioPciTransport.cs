using Regs.Nic;
using Regs.Runtime;
using Regs.Runtime.Pci;
using Regs.Virtio;

namespace Regs.Drivers.Virtio;

/// <summary>
/// The modern virtio-pci transport (virtio 1.2 section 4.1): common configuration, notification,
/// ISR and device configuration structures, each found through a vendor capability.
/// </summary>
public readonly struct VirtioPciTransport<TAccess> : IVirtioTransport<TAccess> where TAccess : struct, IRegisterAccess<TAccess>
{
    private readonly VirtioPciCommonCfg<TAccess> _common;
    private readonly TAccess _notify;
    private readonly uint _notifyMultiplier;
    private readonly VirtioPciIsr<TAccess> _isr;
    private readonly TAccess _device;
    private readonly TAccess _config;

    private VirtioPciTransport(TAccess config, TAccess common, TAccess notify, uint multiplier, TAccess isr, TAccess device)
    {
        _config = config;
        _common = new VirtioPciCommonCfg<TAccess>(common);
        _notify = notify;
        _notifyMultiplier = multiplier;
        _isr = new VirtioPciIsr<TAccess>(isr);
        _device = device;
    }

    /// <summary>
    /// Opens the function <paramref name="host"/> exposes: checks it is a modern virtio device of
    /// <paramref name="type"/> (4.1.2), enables memory (bus mastering waits for <see cref="AllowDma"/>,
    /// after the driver's reset) and walks the vendor capabilities (4.1.4), using the first of each
    /// kind whose BAR can be mapped.
    /// </summary>
    public static NicStatus TryOpen<THost>(ref THost host, VirtioDeviceType type, out VirtioPciTransport<TAccess> transport)
        where THost : struct, IPciHost<TAccess>
    {
        transport = default;
        TAccess config = host.ConfigSpace();
        var header = new PciConfig<TAccess>(config);
        if (header.VendorID.Read() != VirtioPciCap.VendorId) return NicStatus.NotFound;
        if (header.DeviceID.Read() != VirtioPciCap.ModernDeviceIdBase + (uint)type) return NicStatus.NotFound;
        PciFunction.EnableMemory(config, busMaster: false);

        bool haveCommon = false, haveNotify = false, haveIsr = false, haveDevice = false;
        TAccess common = default, notify = default, isr = default, device = default;
        uint multiplier = 0;
        for (uint at = PciFunction.FindCapability(config, PciConfig.VendorCapabilityId), i = 0;
             at != 0 && i < PciFunction.MaxCapabilities;
             at = PciFunction.FindCapability(config, PciConfig.VendorCapabilityId, at), i++)
        {
            var cap = new VirtioPciCap<TAccess>(config.At(at));
            if (!host.TryMapBar(cap.bar.Read(), out TAccess bar, out _)) continue; // 4.1.4: ignore unknown BARs
            TAccess structure = bar.At(cap.offset.Read());
            switch (cap.cfg_type.Read().Value)
            {
                case VirtioPciCapType.COMMON_CFG when !haveCommon: common = structure; haveCommon = true; break;
                case VirtioPciCapType.ISR_CFG when !haveIsr: isr = structure; haveIsr = true; break;
                case VirtioPciCapType.DEVICE_CFG when !haveDevice: device = structure; haveDevice = true; break;
                case VirtioPciCapType.NOTIFY_CFG when !haveNotify:
                    notify = structure;
                    multiplier = new VirtioPciNotifyCap<TAccess>(config.At(at)).notify_off_multiplier.Read();
                    haveNotify = true;
                    break;
            }
        }
        if (!(haveCommon && haveNotify && haveIsr && haveDevice)) return NicStatus.Unsupported;
        transport = new VirtioPciTransport<TAccess>(config, common, notify, multiplier, isr, device);
        return NicStatus.Ok;
    }

    /// <inheritdoc/>
    public void AllowDma() => PciFunction.EnableMemory(_config, busMaster: true);

    /// <inheritdoc/>
    public bool Modern => true;
    /// <inheritdoc/>
    public TAccess DeviceConfig => _device;
    /// <inheritdoc/>
    public uint ReadGeneration() => _common.config_generation.Read();
    /// <inheritdoc/>
    public DeviceStatus ReadStatus() => _common.device_status.Read().Value;
    /// <inheritdoc/>
    public void WriteStatus(DeviceStatus status) => _common.device_status.Write(status);
    /// <inheritdoc/>
    public ulong ReadDeviceFeatures() => _common.device_feature.Read();
    /// <inheritdoc/>
    public void WriteDriverFeatures(ulong features) => _common.driver_feature.Write(features);
    /// <inheritdoc/>
    public uint QueueSizeMax(uint queue) => _common.Queue(queue).queue_size.Read();

    /// <inheritdoc/>
    public bool EnableQueue(uint queue, uint size, ulong descriptors, ulong driverArea, ulong deviceArea, uint vector, out uint notifyOffset)
    {
        // 4.1.5.1.3: select, size, MSI-X vector (or none: INTx through the ISR), the three areas, enable.
        var q = _common.Queue(queue);
        notifyOffset = q.queue_notify_off.Read();
        if (q.queue_enable.Read() != 0) return false;
        q.queue_size.Write((ushort)size);
        q.queue_msix_vector.Write((ushort)vector);
        if (q.queue_msix_vector.Read() != (ushort)vector) return false;   // 4.1.5.1.2: NO_VECTOR read back means refused
        q.queue_desc.Write(descriptors);
        q.queue_driver.Write(driverArea);
        q.queue_device.Write(deviceArea);
        q.queue_enable.Write(1);
        return true;
    }

    /// <inheritdoc/>
    public bool SetConfigVector(uint vector)
    {
        _common.config_msix_vector.Write((ushort)vector);
        return _common.config_msix_vector.Read() == (ushort)vector;
    }

    /// <inheritdoc/>
    public void Notify(uint queue, uint notifyOffset)
    {
        // 4.1.4.4: the queue's address is cap.offset + queue_notify_off * notify_off_multiplier.
        new VirtioPciNotify<TAccess>(_notify.At((nuint)notifyOffset * _notifyMultiplier)).queue_notify.Write((ushort)queue);
    }

    /// <inheritdoc/>
    public VirtioInterrupt TakeInterrupt()
    {
        var isr = _isr.isr.ReadAndClear();
        return new VirtioInterrupt(isr.QUEUE, isr.CONFIG);
    }
}
