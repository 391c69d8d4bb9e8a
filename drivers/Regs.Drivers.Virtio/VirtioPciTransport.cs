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
    // 4.1.2: transitional devices keep the legacy IDs 0x1000-0x103F and give the virtio device
    // type in the subsystem ID (4.1.2.1); Linux's virtio_pci_modern_probe accepts them too.
    private const uint TransitionalDeviceIdFirst = VirtioPciCap.TransitionalNetDeviceId, TransitionalDeviceIdLast = VirtioPciCap.TransitionalDeviceIdLast;
    // Bytes of struct virtio_pci_common_cfg the driver uses: up to and including queue_device (4.1.4.3).
    private const ulong CommonConfigUsed = VirtioPciCommonCfg.Virtio1Bytes;
    // Bytes of struct virtio_pci_cap and of virtio_pci_notify_cap (4.1.4, 4.1.4.4).
    private const uint CapBytes = 16, NotifyCapBytes = 20;
    // Standard capabilities live in the first 256 bytes of configuration space (PCI 3.0 6.7).
    private const uint ConfigHeaderSpace = 256;
    // A queue's notification address takes a 16-bit write (4.1.5.2).
    private const ulong NotifyWrite = 2;

    private readonly VirtioPciCommonCfg<TAccess> _common;
    private readonly TAccess _notify;
    private readonly uint _notifyMultiplier;
    private readonly uint _notifyLength;
    private readonly VirtioPciIsr<TAccess> _isr;
    private readonly TAccess _device;
    private readonly uint _deviceLength;
    private readonly TAccess _config;

    private VirtioPciTransport(TAccess config, TAccess common, TAccess notify, uint multiplier, uint notifyLength, TAccess isr, TAccess device, uint deviceLength)
    {
        _config = config;
        _common = new VirtioPciCommonCfg<TAccess>(common);
        _notify = notify;
        _notifyMultiplier = multiplier;
        _notifyLength = notifyLength;
        _isr = new VirtioPciIsr<TAccess>(isr);
        _device = device;
        _deviceLength = deviceLength;
    }

    /// <summary>
    /// Opens the function <paramref name="host"/> exposes: checks it is a virtio device of
    /// <paramref name="type"/>, modern or transitional (4.1.2), enables memory (bus mastering waits
    /// for <see cref="AllowDma"/>, after the driver's reset) and walks the vendor capabilities
    /// (4.1.4), using the first of each kind whose BAR can be mapped and whose geometry holds.
    /// Nothing the device says about where to access is trusted: a capability must lie in
    /// configuration space and name BAR 0-5, and its structure (offset + length, computed without
    /// overflow) must lie inside that BAR and be long enough for what the driver accesses in it.
    /// A capability that fails is ignored (4.1.4.1); without a valid one of each kind, Unsupported.
    /// </summary>
    public static NicStatus TryOpen<THost>(ref THost host, VirtioDeviceType type, out VirtioPciTransport<TAccess> transport)
        where THost : struct, IPciHost<TAccess>
    {
        transport = default;
        TAccess config = host.ConfigSpace();
        var header = new PciConfig<TAccess>(config);
        if (header.VendorID.Read() != VirtioPciCap.VendorId) return NicStatus.NotFound;
        uint deviceId = header.DeviceID.Read();
        bool modernId = deviceId == VirtioPciCap.ModernDeviceIdBase + (uint)type;
        bool transitionalId = deviceId >= TransitionalDeviceIdFirst && deviceId <= TransitionalDeviceIdLast
            && header.SubsystemID.Read() == (uint)type;
        if (!modernId && !transitionalId) return NicStatus.NotFound;
        PciFunction.EnableMemory(config, busMaster: false);

        bool haveCommon = false, haveNotify = false, haveIsr = false, haveDevice = false;
        TAccess common = default, notify = default, isr = default, device = default;
        uint multiplier = 0, notifyLength = 0, deviceLength = 0;
        // FindCapability follows at most MaxCapabilities links, and so does this loop: a list that
        // loops is walked a bounded number of times.
        for (uint at = PciFunction.FindCapability(config, PciConfig.VendorCapabilityId), i = 0;
             at != 0 && i < PciFunction.MaxCapabilities;
             at = PciFunction.FindCapability(config, PciConfig.VendorCapabilityId, at), i++)
        {
            var cap = new VirtioPciCap<TAccess>(config.At(at));
            VirtioPciCapType kind = cap.cfg_type.Read().Value;
            uint capBytes = kind == VirtioPciCapType.NOTIFY_CFG ? NotifyCapBytes : CapBytes;
            if (cap.cap_len.Read() < capBytes || at + capBytes > ConfigHeaderSpace) continue;   // 4.1.4: a capability the driver cannot read whole
            uint barIndex = cap.bar.Read();
            if (barIndex >= PciConfig.BARCount) continue;                          // 4.1.4: reserved BAR values are ignored
            ulong minimum = kind switch
            {
                VirtioPciCapType.COMMON_CFG => CommonConfigUsed,
                VirtioPciCapType.NOTIFY_CFG => NotifyWrite,
                VirtioPciCapType.ISR_CFG => 1,
                VirtioPciCapType.DEVICE_CFG => 0,        // checked against each field read (DeviceConfigLength)
                _ => ulong.MaxValue,                    // a kind this driver does not use
            };
            if (minimum == ulong.MaxValue) continue;
            ulong offset = cap.offset.Read(), length = cap.length.Read();
            if (length < minimum) continue;
            if (!host.TryMapBar(barIndex, out TAccess bar, out ulong barLength)) continue; // 4.1.4: ignore unknown BARs
            if (offset > barLength || length > barLength - offset) continue;        // the structure must lie inside the BAR
            TAccess structure = bar.At((nuint)offset);
            switch (kind)
            {
                case VirtioPciCapType.COMMON_CFG when !haveCommon: common = structure; haveCommon = true; break;
                case VirtioPciCapType.ISR_CFG when !haveIsr: isr = structure; haveIsr = true; break;
                case VirtioPciCapType.DEVICE_CFG when !haveDevice: device = structure; deviceLength = (uint)length; haveDevice = true; break;
                case VirtioPciCapType.NOTIFY_CFG when !haveNotify:
                    notify = structure;
                    notifyLength = (uint)length;
                    multiplier = new VirtioPciNotifyCap<TAccess>(config.At(at)).notify_off_multiplier.Read();
                    haveNotify = true;
                    break;
            }
        }
        if (!(haveCommon && haveNotify && haveIsr && haveDevice)) return NicStatus.Unsupported;
        transport = new VirtioPciTransport<TAccess>(config, common, notify, multiplier, notifyLength, isr, device, deviceLength);
        return NicStatus.Ok;
    }

    /// <inheritdoc/>
    public void AllowDma() => PciFunction.EnableMemory(_config, busMaster: true);

    /// <inheritdoc/>
    public bool Modern => true;
    /// <inheritdoc/>
    public TAccess DeviceConfig => _device;
    /// <summary>The length the DEVICE_CFG capability gives (4.1.4.6), checked against the BAR.</summary>
    public uint DeviceConfigLength => _deviceLength;
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
        // 4.1.4.4: the notification address must lie inside the notification structure (which
        // TryOpen checked lies inside its BAR); computed in 64 bits, so no product wraps.
        if ((ulong)notifyOffset * _notifyMultiplier + NotifyWrite > _notifyLength) return false;
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

    /// <summary>Command.InterruptDisable cleared when <paramref name="enabled"/>, set otherwise (PCI 3.0 6.2.2).</summary>
    public void EnableLineInterrupt(bool enabled)
    {
        var header = new PciConfig<TAccess>(_config);
        var command = header.Command.Read();
        command.InterruptDisable = !enabled;
        header.Command.Write(command);
    }
}
