using System;
using System.Numerics;
using static Regs.Runtime.Models.Virtio.VirtioMmioRegisters;

namespace Regs.Runtime.Models.Virtio;

/// <summary>
/// virtio-net behind a virtio-mmio register window (virtio 1.2 4.2), as QEMU's
/// <c>virtio-net-device</c> on microvm: version 2 (modern, 4.2.2) or version 1 (legacy, 4.2.4,
/// QEMU's default). The driver reaches the window as <c>new ModelAccess(model.Registers)</c>;
/// the device configuration space starts at 0x100 (<see cref="VirtioMmioRegisters.Config"/>).
/// </summary>
public sealed class VirtioMmioModel : DeviceModel, IVirtioDeviceTransport
{
    /// <summary>Bytes of the register window (QEMU maps 0x200).</summary>
    public const int WindowSize = 0x200;

    // QueueAlign of a legacy queue until the driver writes one: a 4 KiB page, as QEMU.
    private const uint DefaultLegacyQueueAlign = 4096;

    private readonly Region _registers;
    private uint _deviceFeaturesSel, _driverFeaturesSel, _queueSel, _guestPageSize;
    private readonly uint[] _queueAlign = new uint[2];
    private readonly uint[] _queuePfn = new uint[2];

    /// <summary>
    /// A virtio-net device with <paramref name="mac"/> on <paramref name="network"/>, behind a
    /// virtio-mmio window of <paramref name="version"/> 2 (modern) or 1 (legacy). The driver gets
    /// <paramref name="dmaBytes"/> of DMA memory seen by the device at <paramref name="dmaDeviceAddress"/>.
    /// <paramref name="accessPlatform"/> offers ACCESS_PLATFORM (modern only).
    /// </summary>
    public VirtioMmioModel(ModelNetwork network, ReadOnlySpan<byte> mac, int version = 2, bool accessPlatform = false,
        ulong dmaDeviceAddress = 0x4000_0000, nuint dmaBytes = 4 << 20)
        : base(network, dmaDeviceAddress, dmaBytes)
    {
        if (version != LegacyVersion && version != ModernVersion) throw new ArgumentOutOfRangeException(nameof(version), "virtio-mmio version is 1 (legacy) or 2 (modern).");
        Version = version;
        _registers = new Region(this);
        Net = new VirtioNetDevice(this, mac, accessPlatform);
        ResetTransport();
    }

    /// <summary>The Version register: 1 legacy, 2 modern.</summary>
    public int Version { get; }

    /// <summary>The register window (control registers, then configuration space at 0x100).</summary>
    public ModelRegion Registers => _registers;

    /// <summary>The virtio-net device behind the window.</summary>
    public VirtioNetDevice Net { get; }

    /// <summary>
    /// Legacy interface: GuestFeatures writes with GuestFeaturesSel above 0. A legacy device has 32
    /// feature bits (4.2.4); QEMU logs each such write as a guest error ("attempt to write guest
    /// features with guest_features_sel > 0 in legacy mode") and ignores it, as this model does.
    /// </summary>
    public long LegacyUpperFeatureWrites { get; private set; }

    /// <summary>The GuestPageSize the legacy driver wrote (0 until written; then QueuePFN counts bytes, as in QEMU).</summary>
    public uint GuestPageSize => _guestPageSize;

    /// <inheritdoc/>
    public override bool InterruptAsserted => Net.InterruptStatus != 0; // 4.2.3.4: level while InterruptStatus != 0

    /// <inheritdoc/>
    public override bool LinkUp { get => Net.LinkUp; set => Net.LinkUp = value; }

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> Mac => Net.Mac;

    /// <inheritdoc/>
    public override void Deliver(ReadOnlySpan<byte> frame)
    {
        lock (Network.Lock) Net.Deliver(frame);
    }

    bool IVirtioDeviceTransport.Legacy => Version == LegacyVersion;
    object IVirtioDeviceTransport.Lock => Network.Lock;
    bool IVirtioDeviceTransport.DmaEnabled => true;
    bool IVirtioDeviceTransport.DmaRead(ulong address, Span<byte> destination) => DmaRead(address, destination);
    bool IVirtioDeviceTransport.DmaWrite(ulong address, ReadOnlySpan<byte> source) => DmaWrite(address, source);
    void IVirtioDeviceTransport.Transmit(ReadOnlySpan<byte> frame) => Transmit(frame);
    void IVirtioDeviceTransport.InterruptChanged() => InterruptChanged();
    void IVirtioDeviceTransport.OnDeviceReset() => ResetTransport();

    private void ResetTransport()
    {
        _queueSel = 0;
        // 4.2.4: legacy queues are placed by QueuePFN; QueueAlign defaults to a page (QEMU).
        for (int i = 0; i < 2; i++) { _queuePfn[i] = 0; _queueAlign[i] = DefaultLegacyQueueAlign; }
    }

    private SplitVirtqueueModel? Selected => _queueSel < 2 ? (SplitVirtqueueModel)Net.Queues[(int)_queueSel] : null;

    private uint Read(uint offset, int size)
    {
        if (offset >= Config) return Net.ReadConfig(offset - Config, size);
        if (size != 4) return 0; // 4.2.2: control registers take 32-bit accesses only (QEMU reads 0)
        bool legacy = Version == LegacyVersion;
        switch (offset)
        {
            case MagicValue: return ExpectedMagic;
            case VirtioMmioRegisters.Version: return (uint)Version; // the register, then this class's property
            case DeviceID: return VirtioNetLayout.DeviceId;
            case VendorID: return QemuVendorId;
            case DeviceFeatures: return legacy && _deviceFeaturesSel != 0 ? 0 : Net.DeviceFeatureWord(_deviceFeaturesSel);
            case QueueNumMax: return Selected is { } q ? q.MaxSize : 0u;
            case QueuePFN: return legacy && _queueSel < 2 ? _queuePfn[_queueSel] : 0;
            case QueueReady: return !legacy && Selected is { Enabled: true } ? 1u : 0u;
            case InterruptStatus: return Net.InterruptStatus;
            case Status: return (uint)Net.Status;
            case SHMLenLow: case SHMLenHigh: case SHMBaseLow: case SHMBaseHigh: return legacy ? 0 : uint.MaxValue; // no shared memory regions (4.2.2)
            case ConfigGeneration: return legacy ? 0 : Net.ReadGeneration();
            default: return 0;
        }
    }

    private void Write(uint offset, int size, uint value)
    {
        if (offset >= Config) { Net.WriteConfig(offset - Config, size, value); return; }
        if (size != 4) return;
        bool legacy = Version == LegacyVersion;
        var q = Selected;
        switch (offset)
        {
            case DeviceFeaturesSel: _deviceFeaturesSel = value; break;
            case DriverFeatures:
                if (!legacy || _driverFeaturesSel == 0) Net.WriteDriverFeatureWord(_driverFeaturesSel, value);
                else LegacyUpperFeatureWrites++;
                break;
            case DriverFeaturesSel: _driverFeaturesSel = value; break;
            case VirtioMmioRegisters.GuestPageSize: if (legacy) _guestPageSize = value; break; // qualified: plain GuestPageSize is this class's property
            case QueueSel: _queueSel = value; break;
            case QueueNum:
                if (q == null || q.Enabled && !legacy) break;
                q.Size = (ushort)Math.Min(value, 0xFFFFu);
                if (legacy && _queuePfn[_queueSel] != 0) PlaceLegacyQueue(q); // QEMU re-lays the ring
                break;
            case QueueAlign: if (legacy && _queueSel < 2) _queueAlign[_queueSel] = value; break;
            case QueuePFN:
                if (!legacy || q == null) break;
                _queuePfn[_queueSel] = value;
                if (value == 0) q.Disable(); // 4.2.4: writing 0 stops the queue
                else PlaceLegacyQueue(q);
                break;
            case QueueReady:
                if (legacy || q == null) break;
                if (value == 0) q.Disable();
                else if (!q.Enabled && !q.Enable(out string? error)) Net.Fail(error!);
                break;
            case QueueNotify: Net.Notify(value); break;
            case InterruptACK: Net.AcknowledgeInterrupt(value); break;
            case Status:
                Net.WriteStatus((byte)value); // a reset comes back through OnDeviceReset
                break;
            case QueueDescLow: if (!legacy && q is { Enabled: false }) q.DescriptorArea = Low(q.DescriptorArea, value); break;
            case QueueDescHigh: if (!legacy && q is { Enabled: false }) q.DescriptorArea = High(q.DescriptorArea, value); break;
            case QueueDriverLow: if (!legacy && q is { Enabled: false }) q.DriverArea = Low(q.DriverArea, value); break;
            case QueueDriverHigh: if (!legacy && q is { Enabled: false }) q.DriverArea = High(q.DriverArea, value); break;
            case QueueDeviceLow: if (!legacy && q is { Enabled: false }) q.DeviceArea = Low(q.DeviceArea, value); break;
            case QueueDeviceHigh: if (!legacy && q is { Enabled: false }) q.DeviceArea = High(q.DeviceArea, value); break;
            default: break; // read-only and unimplemented registers ignore writes
        }
    }

    /// <summary>
    /// Legacy ring layout from QueuePFN (2.7.2 legacy interfaces, 4.2.4): descriptors at
    /// PFN * GuestPageSize, the available ring right after them, the used ring at the next
    /// QueueAlign boundary after the available ring (6 + 2 * size bytes, 2.7).
    /// </summary>
    private void PlaceLegacyQueue(SplitVirtqueueModel q)
    {
        uint align = _queueAlign[_queueSel];
        int shift = _guestPageSize == 0 ? 0 : BitOperations.TrailingZeroCount(_guestPageSize); // QEMU: ctz32(GuestPageSize)
        if (align == 0 || (align & (align - 1)) != 0) { Net.Fail($"queue {q.Index}: QueueAlign {align} is not a power of 2 (4.2.4)"); return; }
        ulong desc = (ulong)_queuePfn[_queueSel] << shift;
        ulong avail = desc + SplitRingLayout.DescriptorTableBytes(q.Size);
        ulong used = (avail + SplitRingLayout.AvailRingBytes(q.Size) + align - 1) & ~((ulong)align - 1);
        q.Disable();
        q.DescriptorArea = desc;
        q.DriverArea = avail;
        q.DeviceArea = used;
        if (!q.Enable(out string? error)) Net.Fail(error!);
    }

    private static ulong Low(ulong old, uint value) => (old & 0xFFFF_FFFF_0000_0000UL) | value;
    private static ulong High(ulong old, uint value) => (old & 0xFFFF_FFFFUL) | (ulong)value << 32;

    private sealed class Region : ModelRegion
    {
        private readonly VirtioMmioModel _model;
        public Region(VirtioMmioModel model) : base(model) { _model = model; }
        protected override uint OnRead(nuint offset, int size) => offset + (nuint)size > WindowSize ? 0 : _model.Read((uint)offset, size);
        protected override void OnWrite(nuint offset, int size, uint value)
        {
            if (offset + (nuint)size <= WindowSize) _model.Write((uint)offset, size, value);
        }
    }
}
