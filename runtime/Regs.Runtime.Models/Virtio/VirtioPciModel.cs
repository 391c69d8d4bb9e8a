using System;
using System.Buffers.Binary;
using System.Threading;
using static Regs.Runtime.Models.Virtio.VirtioPciCommonConfig;

namespace Regs.Runtime.Models.Virtio;

/// <summary>
/// virtio-net as a modern (non-transitional) virtio-pci function (virtio 1.2 4.1), laid out like
/// QEMU's <c>virtio-net-pci,disable-legacy=on</c>: vendor 0x1AF4, device 0x1041, one 64-bit
/// memory BAR 4 holding common configuration at +0x0, ISR at +0x1000, device configuration at
/// +0x2000 and notifications at +0x3000 (notify_off_multiplier 4, queue_notify_off = queue
/// index), found through vendor capabilities (id 9) in configuration space. No MSI-X: interrupts
/// are INTx, level while the ISR is non-zero. The driver reaches configuration space and BAR 4
/// through <see cref="ModelHost"/> (<c>ConfigSpace()</c>, <c>TryMapBar(4, ...)</c>).
/// </summary>
public sealed class VirtioPciModel : PciDeviceModel, IVirtioDeviceTransport
{
    /// <summary>PCI device ID of a modern virtio-net function (0x1040 + 1, 4.1.2).</summary>
    public const ushort DeviceId = VirtioPciCapabilities.ModernDeviceIdBase + (ushort)VirtioNetLayout.DeviceId;

    /// <summary>PCI device ID of a transitional virtio-net function (4.1.2: 0x1000; the subsystem ID gives the device type, 4.1.2.1).</summary>
    public const ushort TransitionalDeviceId = 0x1000;

    /// <summary>The BAR holding every virtio structure.</summary>
    public const int Bar = 4;

    /// <summary>Bytes of BAR 4 (QEMU: 16 KiB).</summary>
    public const int BarSize = 0x4000;

    /// <summary>Offset of the common configuration structure in BAR 4.</summary>
    public const int CommonOffset = 0x0000;

    /// <summary>Offset of the ISR byte in BAR 4.</summary>
    public const int IsrOffset = 0x1000;

    /// <summary>Offset of the device configuration in BAR 4.</summary>
    public const int DeviceOffset = 0x2000;

    /// <summary>Offset of the notification area in BAR 4.</summary>
    public const int NotifyOffset = 0x3000;

    /// <summary>Bytes between the notification addresses of consecutive queue_notify_off values.</summary>
    public const uint NotifyOffMultiplier = 4;

    private const int StructureLength = 0x1000;

    private readonly byte[] _capabilityAt = new byte[VirtioPciCapabilities.PCI_CFG + 1];   // by cfg_type
    private uint _notifyMultiplier = NotifyOffMultiplier;
    private long _outOfRange;
    private uint _deviceFeatureSelect, _driverFeatureSelect;
    private ushort _queueSelect, _configMsixVector = NoVector;

    /// <summary>
    /// A virtio-net function with <paramref name="mac"/> on <paramref name="network"/>. BAR 4 reads
    /// as assigned at <paramref name="barAddress"/> (informative only). The driver gets
    /// <paramref name="dmaBytes"/> of DMA memory seen by the device at <paramref name="dmaDeviceAddress"/>;
    /// <paramref name="accessPlatform"/> offers ACCESS_PLATFORM (QEMU's iommu_platform=on).
    /// <paramref name="transitional"/> gives the function the transitional ID 0x1000 with subsystem
    /// ID 1 (QEMU's default virtio-net-pci, still with the modern capabilities).
    /// </summary>
    public VirtioPciModel(ModelNetwork network, ReadOnlySpan<byte> mac, bool accessPlatform = false,
        ulong dmaDeviceAddress = 0x4000_0000, nuint dmaBytes = 4 << 20, ulong barAddress = 0xFE00_0000, bool transitional = false)
        : base(network, dmaDeviceAddress, dmaBytes, VirtioPciCapabilities.VendorId, transitional ? TransitionalDeviceId : DeviceId)
    {
        Bars[Bar] = new Bar4(this);
        // 64-bit prefetchable memory BAR, as QEMU's modern BAR (PCI 3.0 6.2.5.1), answering sizing.
        Config.SetBar(Bar + 1, (uint)(barAddress >> 32));
        Config.SetBar(Bar, (uint)barAddress | 0xC, BarSize);
        // 4.1.2.1: the subsystem ID of a transitional device is the virtio device ID.
        Config.SetSubsystem(VirtioPciCapabilities.VendorId, transitional ? (ushort)VirtioNetLayout.DeviceId : (ushort)0);
        AddVirtioCapability(VirtioPciCapabilities.COMMON_CFG, CommonOffset, StructureLength);
        AddVirtioCapability(VirtioPciCapabilities.ISR_CFG, IsrOffset, StructureLength);
        AddVirtioCapability(VirtioPciCapabilities.DEVICE_CFG, DeviceOffset, StructureLength);
        AddVirtioCapability(VirtioPciCapabilities.NOTIFY_CFG, NotifyOffset, StructureLength, NotifyOffMultiplier);
        // 4.1.4.9: the PCI configuration access capability (bar, offset, length, data zero).
        AddVirtioCapability(VirtioPciCapabilities.PCI_CFG, 0, 0, 0, bar: 0);
        Net = new VirtioNetDevice(this, mac, accessPlatform);
    }

    /// <summary>The virtio-net device behind the function.</summary>
    public VirtioNetDevice Net { get; }

    /// <summary>BAR 4, the region every virtio structure lives in.</summary>
    public ModelRegion Bar4Region => Bars[Bar]!;

    /// <summary>
    /// Accesses to BAR 4 beyond its <see cref="BarSize"/> bytes: a driver that followed a hostile
    /// capability outside the BAR (on real hardware: into other devices or memory).
    /// </summary>
    public long OutOfRangeAccesses => Interlocked.Read(ref _outOfRange);

    /// <summary>Which virtio structure a capability describes (4.1.4), for <see cref="SetCapability"/>.</summary>
    public enum Structure : byte
    {
        /// <summary>COMMON_CFG.</summary>
        Common = VirtioPciCapabilities.COMMON_CFG,
        /// <summary>NOTIFY_CFG.</summary>
        Notify = VirtioPciCapabilities.NOTIFY_CFG,
        /// <summary>ISR_CFG.</summary>
        Isr = VirtioPciCapabilities.ISR_CFG,
        /// <summary>DEVICE_CFG.</summary>
        Device = VirtioPciCapabilities.DEVICE_CFG,
    }

    /// <summary>
    /// Rewrites the capability of <paramref name="structure"/>, as a hostile or broken device
    /// would present it: the BAR it names, the offset and length in that BAR, and for the
    /// notification capability the notify_off_multiplier (which this model then also decodes
    /// notifications with). Null leaves a field as it is. Set before the driver opens the function.
    /// </summary>
    public void SetCapability(Structure structure, uint? offset = null, uint? length = null, uint? multiplier = null, byte? bar = null, byte? capLength = null)
    {
        lock (Network.Lock)
        {
            Span<byte> cap = Config.Bytes[_capabilityAt[(int)structure]..];
            if (bar is { } b) cap[VirtioPciCapabilities.Bar] = b;
            if (capLength is { } l) cap[VirtioPciCapabilities.CapLen] = l;
            if (offset is { } o) BinaryPrimitives.WriteUInt32LittleEndian(cap[VirtioPciCapabilities.Offset..], o);
            if (length is { } n) BinaryPrimitives.WriteUInt32LittleEndian(cap[VirtioPciCapabilities.Length..], n);
            if (multiplier is { } m && structure == Structure.Notify)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(cap[VirtioPciCapabilities.Extra..], m);
                _notifyMultiplier = m;
            }
        }
    }

    /// <summary>
    /// Points the last capability's cap_next back at the first, as a broken or hostile device
    /// could: a list that never ends. Set before the driver opens the function.
    /// </summary>
    public void LoopCapabilityList()
    {
        lock (Network.Lock)
        {
            Span<byte> space = Config.Bytes;
            byte first = space[0x34], last = first;
            for (int i = 0; i < 48 && space[last + 1] != 0; i++) last = space[last + 1];
            space[last + 1] = first;
        }
    }

    /// <summary>The configuration generation as the 8-bit config_generation shows it.</summary>
    public byte ConfigGeneration => (byte)Net.ConfigGeneration;

    /// <inheritdoc/>
    public override bool InterruptAsserted => Net.InterruptStatus != 0 && (Config.Command & 0x400) == 0; // INTx, unless Interrupt Disable

    /// <inheritdoc/>
    public override bool LinkUp { get => Net.LinkUp; set => Net.LinkUp = value; }

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> Mac => Net.Mac;

    /// <inheritdoc/>
    public override void Deliver(ReadOnlySpan<byte> frame)
    {
        lock (Network.Lock) Net.Deliver(frame);
    }

    bool IVirtioDeviceTransport.Legacy => false;
    object IVirtioDeviceTransport.Lock => Network.Lock;
    bool IVirtioDeviceTransport.DmaEnabled => BusMaster; // no DMA without Bus Master Enable
    bool IVirtioDeviceTransport.DmaRead(ulong address, Span<byte> destination) => DmaRead(address, destination);
    bool IVirtioDeviceTransport.DmaWrite(ulong address, ReadOnlySpan<byte> source) => DmaWrite(address, source);
    void IVirtioDeviceTransport.Transmit(ReadOnlySpan<byte> frame) => Transmit(frame);
    void IVirtioDeviceTransport.InterruptChanged() => InterruptChanged();
    void IVirtioDeviceTransport.OnDeviceReset() => Reset();

    /// <summary>struct virtio_pci_cap (4.1.4), plus notify_off_multiplier for NOTIFY_CFG (4.1.4.4) and pci_cfg_data for PCI_CFG (4.1.4.9).</summary>
    private void AddVirtioCapability(byte cfgType, uint offset, uint length, uint extra = 0, byte bar = Bar)
    {
        bool longer = cfgType is VirtioPciCapabilities.NOTIFY_CFG or VirtioPciCapabilities.PCI_CFG;
        Span<byte> cap = stackalloc byte[longer ? VirtioPciCapabilities.CapWithExtraSize : VirtioPciCapabilities.CapSize];
        cap[VirtioPciCapabilities.CapLen] = (byte)cap.Length;
        cap[VirtioPciCapabilities.CfgType] = cfgType;
        cap[VirtioPciCapabilities.Bar] = bar;
        cap[VirtioPciCapabilities.Id] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(cap[VirtioPciCapabilities.Offset..], offset);
        BinaryPrimitives.WriteUInt32LittleEndian(cap[VirtioPciCapabilities.Length..], length);
        if (longer) BinaryPrimitives.WriteUInt32LittleEndian(cap[VirtioPciCapabilities.Extra..], extra);
        // The list writes cap_vndr and links cap_next; it takes the bytes from cap_len on.
        _capabilityAt[cfgType] = Config.AddCapability(VirtioPciCapabilities.VendorCapabilityId, cap[VirtioPciCapabilities.CapLen..]);
    }

    private SplitVirtqueueModel? Selected => _queueSelect < 2 ? (SplitVirtqueueModel)Net.Queues[_queueSelect] : null;

    private void Reset()
    {
        _deviceFeatureSelect = _driverFeatureSelect = 0;
        _queueSelect = 0;
        _configMsixVector = NoVector;
    }

    /// <summary>Common configuration reads (4.1.4.3), field by field as QEMU decodes them.</summary>
    private uint ReadCommon(uint offset)
    {
        var q = Selected;
        return offset switch
        {
            DeviceFeatureSelect => _deviceFeatureSelect,
            DeviceFeature => Net.DeviceFeatureWord(_deviceFeatureSelect),
            DriverFeatureSelect => _driverFeatureSelect,
            DriverFeature => Net.DriverFeatureWord(_driverFeatureSelect),
            ConfigMsixVector => _configMsixVector,
            NumQueues => (uint)Net.Queues.Count,
            DeviceStatus => (uint)Net.Status,
            VirtioPciCommonConfig.ConfigGeneration => (byte)Net.ReadGeneration(), // qualified: plain ConfigGeneration is this class's property
            QueueSelect => _queueSelect,
            QueueSize => q?.Size ?? 0u, // 0: the queue does not exist
            QueueMsixVector => q?.MsixVector ?? NoVector,
            QueueEnable => q is { Enabled: true } ? 1u : 0u,
            QueueNotifyOff => q != null ? _queueSelect : 0u, // QEMU: queue_notify_off is the queue index
            QueueDescLow => (uint)(q?.DescriptorArea ?? 0),
            QueueDescHigh => (uint)((q?.DescriptorArea ?? 0) >> 32),
            QueueDriverLow => (uint)(q?.DriverArea ?? 0),
            QueueDriverHigh => (uint)((q?.DriverArea ?? 0) >> 32),
            QueueDeviceLow => (uint)(q?.DeviceArea ?? 0),
            QueueDeviceHigh => (uint)((q?.DeviceArea ?? 0) >> 32),
            _ => 0, // queue_notify_data, queue_reset: features not offered
        };
    }

    /// <summary>Common configuration writes (4.1.4.3); queue fields only change while the queue is disabled (4.1.4.3.2).</summary>
    private void WriteCommon(uint offset, uint value)
    {
        var q = Selected;
        bool idle = q is { Enabled: false };
        switch (offset)
        {
            case DeviceFeatureSelect: _deviceFeatureSelect = value; break;
            case DriverFeatureSelect: _driverFeatureSelect = value; break;
            case DriverFeature: Net.WriteDriverFeatureWord(_driverFeatureSelect, value); break;
            case ConfigMsixVector: _configMsixVector = (ushort)value; break;
            case DeviceStatus:
                Net.WriteStatus((byte)value); // a reset comes back through OnDeviceReset
                break;
            case QueueSelect: _queueSelect = (ushort)value; break;
            case QueueSize: if (idle) q!.Size = (ushort)value; break;
            case QueueMsixVector: if (q != null) q.MsixVector = (ushort)value; break;
            case QueueEnable:
                if (q == null || q.Enabled) break;
                // 4.1.4.3.2: the driver only ever writes 1; QEMU treats anything else as an error.
                if ((ushort)value != 1) Net.Fail($"queue {q.Index}: queue_enable written with {value} (4.1.4.3.2)");
                else if (!q.Enable(out string? error)) Net.Fail(error!);
                break;
            case QueueDescLow: if (idle) q!.DescriptorArea = Low(q.DescriptorArea, value); break;
            case QueueDescHigh: if (idle) q!.DescriptorArea = High(q.DescriptorArea, value); break;
            case QueueDriverLow: if (idle) q!.DriverArea = Low(q.DriverArea, value); break;
            case QueueDriverHigh: if (idle) q!.DriverArea = High(q.DriverArea, value); break;
            case QueueDeviceLow: if (idle) q!.DeviceArea = Low(q.DeviceArea, value); break;
            case QueueDeviceHigh: if (idle) q!.DeviceArea = High(q.DeviceArea, value); break;
            default: break;
        }
    }

    private uint ReadBar(uint offset, int size)
    {
        if ((Config.Command & 0x2) == 0) return size == 4 ? uint.MaxValue : (1u << (8 * size)) - 1; // memory space disabled: master abort
        if (offset < IsrOffset) return ReadCommon(offset);
        if (offset < DeviceOffset) return Net.ReadAndClearIsr(); // 4.1.4.5: reading clears and deasserts
        if (offset < NotifyOffset) return Net.ReadConfig(offset - DeviceOffset, size);
        return 0;
    }

    private void WriteBar(uint offset, int size, uint value)
    {
        if ((Config.Command & 0x2) == 0) return;
        if (offset < IsrOffset) WriteCommon(offset, value);
        else if (offset < DeviceOffset) { } // ISR is read-only
        else if (offset < NotifyOffset) Net.WriteConfig(offset - DeviceOffset, size, value);
        // 4.1.4.4: the queue is the one whose queue_notify_off * multiplier is the address (QEMU decodes the address).
        else Net.Notify(_notifyMultiplier == 0 ? 0 : (offset - NotifyOffset) / _notifyMultiplier);
    }

    private static ulong Low(ulong old, uint value) => (old & 0xFFFF_FFFF_0000_0000UL) | value;
    private static ulong High(ulong old, uint value) => (old & 0xFFFF_FFFFUL) | (ulong)value << 32;

    private sealed class Bar4 : ModelRegion
    {
        private readonly VirtioPciModel _model;
        public Bar4(VirtioPciModel model) : base(model) { _model = model; }
        protected override uint OnRead(nuint offset, int size)
        {
            if (offset + (nuint)size <= BarSize && offset < BarSize) return _model.ReadBar((uint)offset, size);
            Interlocked.Increment(ref _model._outOfRange);
            return 0;
        }
        protected override void OnWrite(nuint offset, int size, uint value)
        {
            if (offset + (nuint)size <= BarSize && offset < BarSize) _model.WriteBar((uint)offset, size, value);
            else Interlocked.Increment(ref _model._outOfRange);
        }
    }
}
