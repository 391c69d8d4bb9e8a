using System;
using System.Buffers.Binary;
using System.Collections.Generic;

namespace Regs.Runtime.Models.Virtio;

/// <summary>
/// A virtio-net device (virtio 1.2 5.1) independent of its transport: feature negotiation, the
/// status handshake (3.1.1), the interrupt status, the configuration space (5.1.4), the receive
/// and transmit queues and their packet handling (5.1.6). The transports
/// (<see cref="VirtioMmioModel"/>, <see cref="VirtioPciModel"/>) map registers onto it. All
/// members run under the network lock.
/// </summary>
public sealed class VirtioNetDevice
{
    /// <summary>Largest queue size the device accepts (QueueNumMax, queue_size after reset).</summary>
    public const ushort MaxQueueSize = 256;

    /// <summary>Frames kept while the driver has no receive buffer; later ones are dropped.</summary>
    public const int RxBacklogCapacity = 64;

    /// <summary>The mtu the configuration space reports unless a test sets another (5.1.4).</summary>
    public const ushort DefaultMtu = 1500;

    // Ethernet header plus one 802.1Q tag: what a frame carries besides its mtu-bounded payload.
    private const int EthernetHeaderAndTag = 18;

    /// <summary>Bytes of the configuration space: mac, status, max_virtqueue_pairs, mtu (5.1.4).</summary>
    public const int ConfigSize = VirtioNetLayout.ConfigBytes;

    /// <summary>Index of the receive queue (5.1.2).</summary>
    public const int ReceiveQueue = 0;

    /// <summary>Index of the transmit queue (5.1.2).</summary>
    public const int TransmitQueue = 1;

    // Largest frame the device accepts from the driver: a 64 KiB IP packet (a segmentation train)
    // behind an Ethernet header and a tag.
    private const int MaxTxFrame = 65536 + EthernetHeaderAndTag;

    // The offloads offered with OffersOffloads (5.1.3).
    private const ulong OffloadFeatures = VirtioFeatureBits.NET_CSUM | VirtioFeatureBits.NET_GUEST_CSUM
        | VirtioFeatureBits.NET_HOST_TSO4 | VirtioFeatureBits.NET_HOST_TSO6 | VirtioFeatureBits.NET_HOST_ECN;

    private readonly byte[] _config = new byte[ConfigSize];
    private readonly Queue<byte[]> _backlog = new();
    private readonly SplitVirtqueueModel.Chain _chain = new();
    private ulong _driverFeatures;
    private VirtioDeviceStatus _status;
    private byte _isr;
    private uint _generation;
    private bool _linkUp = true;
    private ushort _mtu = DefaultMtu;
    private readonly ulong _baseOffered;

    internal VirtioNetDevice(IVirtioDeviceTransport transport, ReadOnlySpan<byte> mac, bool accessPlatform)
    {
        if (mac.Length != 6) throw new ArgumentException("A MAC address has 6 bytes.", nameof(mac));
        Transport = transport;
        Faults = new VirtioFaultInjector(transport.Lock);
        ulong offered = VirtioFeatureBits.NET_MAC | VirtioFeatureBits.NET_STATUS | VirtioFeatureBits.NET_MTU
            | VirtioFeatureBits.EVENT_IDX | VirtioFeatureBits.INDIRECT_DESC;
        // 6.3: legacy devices do not offer VERSION_1; ACCESS_PLATFORM needs a modern feature word.
        if (!transport.Legacy) offered |= VirtioFeatureBits.VERSION_1;
        if (accessPlatform && !transport.Legacy) offered |= VirtioFeatureBits.ACCESS_PLATFORM;
        _baseOffered = offered;
        mac.CopyTo(_config.AsSpan(VirtioNetLayout.ConfigMac));
        Queues = new[] { new SplitVirtqueueModel(this, ReceiveQueue, MaxQueueSize), new SplitVirtqueueModel(this, TransmitQueue, MaxQueueSize) };
        Reset(notify: false);
    }

    internal IVirtioDeviceTransport Transport { get; }

    /// <summary>The fault the device is armed with (none unless a test arms one).</summary>
    public VirtioFaultInjector Faults { get; }

    /// <summary>Device resets the driver asked for by writing 0 to the status and that happened.</summary>
    public long Resets { get; private set; }

    /// <summary>The 64 feature bits the device offers (bit n is feature n: 5.1.3, 6), as the switches below shape them.</summary>
    public ulong OfferedFeatures
    {
        get
        {
            ulong offered = _baseOffered;
            if (!OffersMac) offered &= ~VirtioFeatureBits.NET_MAC;
            if (RequiresOrderPlatform) offered |= VirtioFeatureBits.ORDER_PLATFORM;
            if (OffersMergeableBuffers) offered |= VirtioFeatureBits.NET_MRG_RXBUF;
            if (OffersOffloads) offered |= OffloadFeatures;
            return offered;
        }
    }

    // ---- Switches: behaviours of other device implementations, set before the driver starts ----

    /// <summary>
    /// Offers VIRTIO_NET_F_MAC (true, as QEMU). False: the device has no MAC of its own and the
    /// driver must pick one (5.1.4.2).
    /// </summary>
    public bool OffersMac { get; set; } = true;

    /// <summary>
    /// Offers VIRTIO_F_ORDER_PLATFORM and refuses FEATURES_OK without it, as a hardware device may
    /// (6: a device MAY fail to operate further if it is not accepted).
    /// </summary>
    public bool RequiresOrderPlatform { get; set; }

    /// <summary>
    /// Completes transmit chains with the number of bytes read (the frame and its header) as the
    /// used length, as kvmtool does, instead of 0 (QEMU: nothing was written).
    /// </summary>
    public bool ReportsTransmitLength { get; set; }

    /// <summary>
    /// Offers VIRTIO_NET_F_MRG_RXBUF (QEMU does by default): a received frame is spread over as many
    /// receive buffers as it needs, num_buffers in the first header (5.1.6.3.1, 5.1.6.4).
    /// </summary>
    public bool OffersMergeableBuffers { get; set; }

    /// <summary>
    /// Offers CSUM, GUEST_CSUM, HOST_TSO4, HOST_TSO6 and HOST_ECN (as QEMU does over a backend that
    /// carries virtio-net headers): transmitted partial checksums are completed and TCP trains cut
    /// into segments (5.1.6.2); received frames whose TCP/UDP checksum is right are marked
    /// DATA_VALID when GUEST_CSUM is negotiated (5.1.6.4.1).
    /// </summary>
    public bool OffersOffloads { get; set; }

    /// <summary>The mtu in the configuration space (5.1.4), offered with VIRTIO_NET_F_MTU; 1500 by default.</summary>
    public ushort Mtu
    {
        get => _mtu;
        set { lock (Transport.Lock) { _mtu = value; SetLinkStatus(); } }
    }

    // ---- What the device saw of the driver -------------------------------------------------------

    /// <summary>
    /// Breaches of a negotiated VIRTIO_NET_F_MTU (5.1.4.2): a transmitted frame longer than mtu plus
    /// the Ethernet header and tag, or a receive chain too short for such a frame behind the header.
    /// </summary>
    public long MtuViolations { get; private set; }

    /// <summary>
    /// Transmitted frames whose header asked for what was not negotiated or could not be done
    /// (NEEDS_CSUM without CSUM or outside the frame, a gso_type without its HOST_ feature, a train
    /// that is not the TCP it names): dropped, never sent as they were.
    /// </summary>
    public long OffloadViolations { get; private set; }

    /// <summary>Segmentation trains the device cut into segments (each segment counts in <see cref="FramesTransmitted"/>).</summary>
    public long TrainsSegmented { get; private set; }

    /// <summary>Received frames marked DATA_VALID (GUEST_CSUM negotiated and the TCP/UDP checksum right).</summary>
    public long RxMarkedDataValid { get; private set; }

    /// <summary>Receive buffers the driver had made available when it set DRIVER_OK (3.1.1 step 7 comes before 8); -1 before any DRIVER_OK.</summary>
    public int ReceiveBuffersAtDriverOk { get; private set; } = -1;

    /// <summary>Available-buffer notifications the driver sent before DRIVER_OK (3.1.1 forbids them).</summary>
    public long NotificationsBeforeDriverOk { get; private set; }

    /// <summary>The 64 feature bits in effect: accepted at FEATURES_OK (modern) or as written (legacy); 0 after reset.</summary>
    public ulong NegotiatedFeatures { get; private set; }

    /// <summary>The 64 driver feature bits as last written (before validation).</summary>
    public ulong DriverFeatures => _driverFeatures;

    /// <summary>The device status byte (2.1).</summary>
    public VirtioDeviceStatus Status => _status;

    /// <summary>The interrupt status: bit 0 used buffer, bit 1 configuration change (4.1.4.5, 4.2.2).</summary>
    public byte InterruptStatus => _isr;

    /// <summary>The configuration generation (2.5.1); changes with every configuration change.</summary>
    public uint ConfigGeneration => _generation;

    /// <summary>The generation as the driver reads it: a new value at every read while <see cref="VirtioFault.GenerationChurn"/> is in force.</summary>
    internal uint ReadGeneration()
    {
        if (Faults.InForce(VirtioFault.GenerationChurn)) { Faults.Acted(); _generation++; }
        return _generation;
    }

    /// <summary>The receive queue (0) and transmit queue (1).</summary>
    public IReadOnlyList<SplitVirtqueueModel> Queues { get; }

    /// <summary>The MAC address in the configuration space (a legacy driver may rewrite it).</summary>
    public ReadOnlySpan<byte> Mac => _config.AsSpan(VirtioNetLayout.ConfigMac, VirtioNetLayout.MacBytes);

    /// <summary>Frames written into receive buffers.</summary>
    public long FramesReceived { get; private set; }

    /// <summary>Frames taken from transmit buffers and put on the wire.</summary>
    public long FramesTransmitted { get; private set; }

    /// <summary>Frames dropped in either direction (the sum of the specific counters below).</summary>
    public long FramesDropped => RxDroppedNotReady + RxDroppedBacklogFull + RxDroppedTooLarge + TxDropped;

    /// <summary>Received frames dropped because the device was not running (no DRIVER_OK, needs reset, link down).</summary>
    public long RxDroppedNotReady { get; private set; }

    /// <summary>Received frames dropped because the backlog of frames waiting for buffers was full.</summary>
    public long RxDroppedBacklogFull { get; private set; }

    /// <summary>Received frames dropped because the next receive buffer was too small for header and frame.</summary>
    public long RxDroppedTooLarge { get; private set; }

    /// <summary>Transmitted frames completed without reaching the wire (link down, oversized).</summary>
    public long TxDropped { get; private set; }

    /// <summary>Frames waiting for receive buffers.</summary>
    public int RxBacklog => _backlog.Count;

    /// <summary>Why the device last set DEVICE_NEEDS_RESET, or null.</summary>
    public string? NeedsResetReason { get; private set; }

    /// <summary>The net header size in effect: 12 with VERSION_1, 10 on the legacy interface without MRG_RXBUF (5.1.6, 5.1.6.1).</summary>
    public int HeaderSize => (NegotiatedFeatures & (VirtioFeatureBits.VERSION_1 | VirtioFeatureBits.NET_MRG_RXBUF)) != 0 ? VirtioNetLayout.HeaderBytes : VirtioNetLayout.LegacyHeaderBytes;

    /// <summary>True while DRIVER_OK is set and the device does not need a reset.</summary>
    public bool Running => (_status & (VirtioDeviceStatus.DRIVER_OK | VirtioDeviceStatus.DEVICE_NEEDS_RESET)) == VirtioDeviceStatus.DRIVER_OK;

    /// <summary>True when every bit of <paramref name="features"/> (<see cref="VirtioFeatureBits"/>) is in effect.</summary>
    internal bool Negotiated(ulong features) => (NegotiatedFeatures & features) == features;

    /// <summary>Link state: reported in the status field; a change is a configuration change (5.1.4).</summary>
    public bool LinkUp
    {
        get => _linkUp;
        set
        {
            lock (Transport.Lock)
            {
                if (_linkUp == value) return;
                _linkUp = value;
                SetLinkStatus();
                ConfigChanged();
                // Link up again: frames kept from before may now flow.
                if (value) ProcessReceive();
            }
        }
    }

    // ---- Reset, features, status -------------------------------------------------------

    /// <summary>Device reset (2.4): status, features, queues, interrupt status, backlog and the transport's own state.</summary>
    internal void Reset(bool notify = true)
    {
        _status = 0;
        _driverFeatures = 0;
        NegotiatedFeatures = 0;
        _isr = 0;
        NeedsResetReason = null;
        _backlog.Clear();
        foreach (var q in Queues) q.Reset();
        SetLinkStatus();
        if (!notify) return;
        Transport.OnDeviceReset();
        Transport.InterruptChanged();
    }

    /// <summary>
    /// A device event (a frame from the wire, a notification, an interrupt-status read): where
    /// faults that strike under traffic act. False when the device just reset itself.
    /// </summary>
    private bool DeviceEvent()
    {
        Faults.Event();
        if (Faults.FlapDue())
        {
            Faults.Acted();
            _linkUp = !_linkUp;
            SetLinkStatus();
            ConfigChanged();
        }
        if (Faults.InForce(VirtioFault.GenerationChurn)) ConfigChanged();
        if (Faults.Strikes(VirtioFault.NeedsReset)) Fail("injected: DEVICE_NEEDS_RESET under traffic");
        if (Faults.Strikes(VirtioFault.SurpriseReset)) { Reset(); return false; }
        return true;
    }

    /// <summary>32 bits of the offered features (word 0 or 1; others read 0).</summary>
    internal uint DeviceFeatureWord(uint select) => select switch
    {
        0 => (uint)OfferedFeatures,
        1 => (uint)(OfferedFeatures >> 32),
        _ => 0,
    };

    /// <summary>32 bits of the driver features as written.</summary>
    internal uint DriverFeatureWord(uint select) => select switch
    {
        0 => (uint)_driverFeatures,
        1 => (uint)(_driverFeatures >> 32),
        _ => 0,
    };

    /// <summary>The driver writes 32 feature bits; ignored once FEATURES_OK is set (3.1.1).</summary>
    internal void WriteDriverFeatureWord(uint select, uint value)
    {
        if ((_status & VirtioDeviceStatus.FEATURES_OK) != 0 || select > 1) return;
        _driverFeatures = select == 0 ? (_driverFeatures & ~0xFFFF_FFFFUL) | value : (_driverFeatures & 0xFFFF_FFFFUL) | (ulong)value << 32;
        // Legacy interface: the features take effect as written, restricted to the offered ones (6.3 legacy).
        if (Transport.Legacy) NegotiatedFeatures = _driverFeatures & OfferedFeatures;
    }

    /// <summary>A status write (2.1, 3.1.1): 0 resets; FEATURES_OK sticks only for acceptable features.</summary>
    internal void WriteStatus(byte value)
    {
        if (value == 0)
        {
            if (Faults.Strikes(VirtioFault.ResetNeverCompletes)) return; // the status keeps reading non-zero
            Resets++;
            Reset();
            return;
        }
        var requested = (VirtioDeviceStatus)value & ~VirtioDeviceStatus.DEVICE_NEEDS_RESET; // the device owns that bit
        var old = _status;
        if ((requested & VirtioDeviceStatus.FEATURES_OK) != 0 && (old & VirtioDeviceStatus.FEATURES_OK) == 0)
        {
            if (FeaturesAcceptable()) NegotiatedFeatures = _driverFeatures;
            else requested &= ~VirtioDeviceStatus.FEATURES_OK; // 3.1.1 step 6: the driver re-reads and sees it clear
        }
        _status = requested | (old & VirtioDeviceStatus.DEVICE_NEEDS_RESET);
        if ((requested & VirtioDeviceStatus.DRIVER_OK) != 0 && (old & VirtioDeviceStatus.DRIVER_OK) == 0)
        {
            // 3.1.1: a modern driver completes feature negotiation before DRIVER_OK.
            if (!Transport.Legacy && (_status & VirtioDeviceStatus.FEATURES_OK) == 0) { Fail("DRIVER_OK without FEATURES_OK (3.1.1)"); return; }
            ReceiveBuffersAtDriverOk = ((SplitVirtqueueModel)Queues[ReceiveQueue]).AvailableCount();
            ProcessReceive();
        }
    }

    /// <summary>2.2.1, 6.1: a subset of the offered bits, VERSION_1 on modern transports, ACCESS_PLATFORM when offered, ORDER_PLATFORM when required.</summary>
    private bool FeaturesAcceptable()
    {
        ulong offered = OfferedFeatures;
        if ((_driverFeatures & ~offered) != 0) return false;
        if (Transport.Legacy) return true;
        if ((_driverFeatures & VirtioFeatureBits.VERSION_1) == 0) return false;
        if (RequiresOrderPlatform && (_driverFeatures & VirtioFeatureBits.ORDER_PLATFORM) == 0) return false;
        if (!DependenciesMet(_driverFeatures)) return false;
        // 6.1: a device offering ACCESS_PLATFORM may refuse a driver that ignores it (QEMU does).
        ulong platform = VirtioFeatureBits.ACCESS_PLATFORM;
        return (offered & platform) == 0 || (_driverFeatures & platform) != 0;
    }

    // 5.1.3.1: a feature only with the ones it requires (the device may refuse a driver that breaks it).
    private static bool DependenciesMet(ulong f)
    {
        bool Has(ulong bits) => (f & bits) != 0;
        if (Has(VirtioFeatureBits.NET_HOST_TSO4 | VirtioFeatureBits.NET_HOST_TSO6) && !Has(VirtioFeatureBits.NET_CSUM)) return false;
        if (Has(VirtioFeatureBits.NET_HOST_ECN) && !Has(VirtioFeatureBits.NET_HOST_TSO4 | VirtioFeatureBits.NET_HOST_TSO6)) return false;
        if (Has(VirtioFeatureBits.NET_GUEST_TSO4 | VirtioFeatureBits.NET_GUEST_TSO6) && !Has(VirtioFeatureBits.NET_GUEST_CSUM)) return false;
        if (Has(VirtioFeatureBits.NET_GUEST_ECN) && !Has(VirtioFeatureBits.NET_GUEST_TSO4 | VirtioFeatureBits.NET_GUEST_TSO6)) return false;
        return true;
    }

    /// <summary>Sets DEVICE_NEEDS_RESET, stops all processing and, with DRIVER_OK, sends a configuration change notification (2.1.2).</summary>
    internal void Fail(string reason)
    {
        if ((_status & VirtioDeviceStatus.DEVICE_NEEDS_RESET) != 0) return;
        NeedsResetReason = reason;
        _status |= VirtioDeviceStatus.DEVICE_NEEDS_RESET;
        ConfigChanged();
    }

    // ---- Interrupts ----------------------------------------------------------------------

    /// <summary>Reads and clears the interrupt status (virtio-pci ISR, 4.1.4.5).</summary>
    internal byte ReadAndClearIsr()
    {
        DeviceEvent();
        byte v = _isr;
        _isr = 0;
        if (v != 0) Transport.InterruptChanged();
        return v;
    }

    /// <summary>Acknowledges interrupt causes (virtio-mmio InterruptACK, 4.2.2).</summary>
    internal void AcknowledgeInterrupt(uint bits)
    {
        DeviceEvent();
        byte before = _isr;
        _isr &= (byte)~bits;
        if (_isr != before) Transport.InterruptChanged();
    }

    private void RaiseIsr(byte bit)
    {
        _isr |= bit;
        Transport.InterruptChanged();
    }

    // ---- Configuration space -------------------------------------------------------------

    /// <summary>Reads <paramref name="size"/> little-endian bytes of the configuration space; all ones outside it (as QEMU).</summary>
    internal uint ReadConfig(uint offset, int size)
    {
        if (offset + (uint)size > ConfigSize || offset > ConfigSize) return size == 4 ? uint.MaxValue : (1u << (8 * size)) - 1;
        uint value = 0;
        for (int i = size - 1; i >= 0; i--) value = value << 8 | _config[offset + i];
        return value;
    }

    /// <summary>Configuration writes: only mac, and only on the legacy interface (5.1.4 legacy); otherwise ignored.</summary>
    internal void WriteConfig(uint offset, int size, uint value)
    {
        if (!Transport.Legacy || Negotiated(VirtioFeatureBits.VERSION_1)) return;
        for (int i = 0; i < size; i++)
            if (offset + (uint)i < VirtioNetLayout.ConfigMac + VirtioNetLayout.MacBytes) _config[offset + i] = (byte)(value >> (8 * i));
    }

    private void SetLinkStatus()
    {
        // 5.1.4: status is present with STATUS (always offered here); LINK_UP is bit 0.
        BinaryPrimitives.WriteUInt16LittleEndian(_config.AsSpan(VirtioNetLayout.ConfigStatus), _linkUp ? VirtioNetLayout.STATUS_LINK_UP : (ushort)0);
        BinaryPrimitives.WriteUInt16LittleEndian(_config.AsSpan(VirtioNetLayout.ConfigMaxVirtqueuePairs), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(_config.AsSpan(VirtioNetLayout.ConfigMtu), _mtu);
    }

    /// <summary>A configuration change (2.5.1, 4.1.4.5, 4.2.2): a new generation, then the notification once the driver is running.</summary>
    private void ConfigChanged()
    {
        _generation++;
        if ((_status & VirtioDeviceStatus.DRIVER_OK) != 0) RaiseIsr(VirtioInterruptStatus.ConfigChange);
    }

    // ---- Queues and packets --------------------------------------------------------------

    /// <summary>An available-buffer notification for <paramref name="queue"/> (4.1.5.2, 4.2.3.3).</summary>
    internal void Notify(uint queue)
    {
        if (queue >= Queues.Count) return;
        ((SplitVirtqueueModel)Queues[(int)queue]).Notifications++;
        if ((_status & VirtioDeviceStatus.DRIVER_OK) == 0) NotificationsBeforeDriverOk++;
        if (!DeviceEvent()) return;
        if (queue == TransmitQueue) ProcessTransmit();
        else ProcessReceive();
    }

    private bool CanProcess(SplitVirtqueueModel q) => Running && q.Enabled && Transport.DmaEnabled;

    /// <summary>5.1.6.2: sends every available transmit chain, header stripped; completes them with len 0.</summary>
    private void ProcessTransmit()
    {
        var q = (SplitVirtqueueModel)Queues[TransmitQueue];
        if (!CanProcess(q)) return;
        if (Faults.Strikes(VirtioFault.TxNeverCompletes)) return; // buffers stay available, never used
        int hdr = HeaderSize;
        bool used = false;
        Span<byte> header = stackalloc byte[VirtioNetLayout.HeaderBytes];
        while (true)
        {
            var r = q.Pop(_chain, out string? error);
            if (r == SplitVirtqueueModel.PopResult.Empty) break;
            if (r == SplitVirtqueueModel.PopResult.Fault) { Fail(error!); return; }
            if (_chain.ReadableBytes < (ulong)hdr) { Fail($"queue 1: transmit chain {_chain.Head} shorter than the {hdr}-byte net header (5.1.6.2)"); return; }
            ulong frameLength = _chain.ReadableBytes - (ulong)hdr;
            header.Clear();
            if (!q.ReadChain(_chain, 0, header[..hdr])) { Fail($"queue 1: transmit header of chain {_chain.Head} outside driver memory"); return; }
            byte flags = header[VirtioNetLayout.HeaderFlags], gso = header[VirtioNetLayout.HeaderGsoType];
            if (Negotiated(VirtioFeatureBits.NET_MTU) && gso == VirtioNetOffloadModel.GSO_NONE && frameLength > (ulong)(_mtu + EthernetHeaderAndTag)) MtuViolations++;
            if (!_linkUp || frameLength > MaxTxFrame) TxDropped++;
            else
            {
                byte[] frame = new byte[frameLength];
                if (!q.ReadChain(_chain, (ulong)hdr, frame)) { Fail($"queue 1: transmit buffer of chain {_chain.Head} outside driver memory"); return; }
                TransmitWithOffloads(frame, header, flags, gso);
            }
            // kvmtool reports the bytes it read; QEMU reports 0 (nothing written, 2.7.8).
            uint usedLength = ReportsTransmitLength ? (uint)_chain.ReadableBytes : 0;
            if (!q.Push(_chain, usedLength, out error)) { Fail(error!); return; }
            used = true;
        }
        if (used) SignalUsed(q);
    }

    // 5.1.6.2: the header's requests, done only when negotiated; anything else is a violation and
    // the frame is dropped (a device must not send what it cannot have understood).
    private void TransmitWithOffloads(byte[] frame, ReadOnlySpan<byte> header, byte flags, byte gso)
    {
        if (flags == 0 && gso == VirtioNetOffloadModel.GSO_NONE)
        {
            FramesTransmitted++;
            Transport.Transmit(frame);
            return;
        }
        int start = BinaryPrimitives.ReadUInt16LittleEndian(header[VirtioNetLayout.HeaderCsumStart..]);
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(header[VirtioNetLayout.HeaderCsumOffset..]);
        int mss = BinaryPrimitives.ReadUInt16LittleEndian(header[VirtioNetLayout.HeaderGsoSize..]);
        bool csum = (flags & VirtioNetOffloadModel.NEEDS_CSUM) != 0;
        byte kind = (byte)(gso & ~VirtioNetOffloadModel.GSO_ECN);
        bool ok = (flags & ~VirtioNetOffloadModel.NEEDS_CSUM) == 0 && (!csum || Negotiated(VirtioFeatureBits.NET_CSUM));
        if (gso != VirtioNetOffloadModel.GSO_NONE)
        {
            ok &= csum;                                              // 5.1.6.2.1: NEEDS_CSUM with every train
            ok &= kind == VirtioNetOffloadModel.GSO_TCPV4 ? Negotiated(VirtioFeatureBits.NET_HOST_TSO4)
                : kind == VirtioNetOffloadModel.GSO_TCPV6 && Negotiated(VirtioFeatureBits.NET_HOST_TSO6);
            if ((gso & VirtioNetOffloadModel.GSO_ECN) != 0) ok &= Negotiated(VirtioFeatureBits.NET_HOST_ECN);
        }
        if (ok && gso != VirtioNetOffloadModel.GSO_NONE)
        {
            var segments = VirtioNetOffloadModel.Segment(frame, gso, mss);
            if (segments != null)
            {
                TrainsSegmented++;
                foreach (var segment in segments)
                {
                    if (Negotiated(VirtioFeatureBits.NET_MTU) && segment.Length > _mtu + EthernetHeaderAndTag) MtuViolations++;
                    FramesTransmitted++;
                    Transport.Transmit(segment);
                }
                return;
            }
        }
        else if (ok && VirtioNetOffloadModel.CompleteChecksum(frame, start, offset))
        {
            FramesTransmitted++;
            Transport.Transmit(frame);
            return;
        }
        OffloadViolations++;
        TxDropped++;
    }

    /// <summary>A frame from the wire (5.1.6.3): received at once, kept until buffers arrive, or dropped.</summary>
    internal void Deliver(ReadOnlySpan<byte> frame)
    {
        if (!DeviceEvent()) { RxDroppedNotReady++; return; }
        if (Running && _linkUp && Faults.Strikes(VirtioFault.RxNeverCompletes)) return; // swallowed: no buffer is ever used
        if (!Running || !_linkUp) { RxDroppedNotReady++; return; }
        if (_backlog.Count >= RxBacklogCapacity) { RxDroppedBacklogFull++; return; }
        _backlog.Enqueue(frame.ToArray());
        ProcessReceive();
    }

    /// <summary>
    /// Moves backlogged frames into available receive buffers: the header (num_buffers with
    /// VERSION_1 or MRG_RXBUF; DATA_VALID with GUEST_CSUM for a right TCP/UDP checksum) then the
    /// frame, in one chain, or with MRG_RXBUF over as many chains as it needs (5.1.6.3.1, 5.1.6.4),
    /// all published together (5.1.6.4.1).
    /// </summary>
    private void ProcessReceive()
    {
        var q = (SplitVirtqueueModel)Queues[ReceiveQueue];
        if (!_linkUp || !CanProcess(q)) return;
        int hdr = HeaderSize;
        bool mergeable = Negotiated(VirtioFeatureBits.NET_MRG_RXBUF);
        bool used = false;
        while (_backlog.Count > 0)
        {
            byte[] frame = _backlog.Peek();
            byte[] packet = new byte[hdr + frame.Length];
            if (Negotiated(VirtioFeatureBits.NET_GUEST_CSUM) && VirtioNetOffloadModel.L4ChecksumValid(frame))
            {
                packet[VirtioNetLayout.HeaderFlags] = VirtioNetOffloadModel.DATA_VALID;
                RxMarkedDataValid++;
            }
            frame.CopyTo(packet, hdr);
            // Take chains until the packet fits (one without MRG_RXBUF).
            var chains = new List<SplitVirtqueueModel.Chain>();
            ulong room = 0;
            while (room < (ulong)packet.Length && (mergeable || chains.Count == 0))
            {
                var chain = new SplitVirtqueueModel.Chain();
                var r = q.Pop(chain, out string? error);
                if (r == SplitVirtqueueModel.PopResult.Fault) { Fail(error!); return; }
                if (r == SplitVirtqueueModel.PopResult.Empty) break;
                if (chain.WritableBytes == 0) { Fail($"queue 0: receive chain {chain.Head} has no device-writable buffer (5.1.6.3)"); return; }
                if (mergeable && chain.WritableBytes < (ulong)hdr) { Fail($"queue 0: receive chain {chain.Head} shorter than the header (5.1.6.3.1)"); return; }
                if (!mergeable && Negotiated(VirtioFeatureBits.NET_MTU) && chain.WritableBytes < (ulong)(hdr + _mtu + EthernetHeaderAndTag)) MtuViolations++;
                chains.Add(chain);
                room += chain.WritableBytes;
            }
            if (room < (ulong)packet.Length)
            {
                if (!mergeable && chains.Count == 1)
                {
                    // No MRG_RXBUF: one chain per frame. Like QEMU, drop the frame and keep the buffer.
                    _backlog.Dequeue();
                    RxDroppedTooLarge++;
                    q.Unpop();
                    continue;
                }
                for (int i = 0; i < chains.Count; i++) q.Unpop();       // not enough buffers yet: wait for more
                break;
            }
            _backlog.Dequeue();
            if (hdr == VirtioNetLayout.HeaderBytes)
                BinaryPrimitives.WriteUInt16LittleEndian(packet.AsSpan(VirtioNetLayout.HeaderNumBuffers), (ushort)chains.Count); // num_buffers (5.1.6.4)
            int at = 0;
            foreach (var chain in chains)
            {
                int n = (int)Math.Min(chain.WritableBytes, (ulong)(packet.Length - at));
                if (!q.WriteChain(chain, packet.AsSpan(at, n))) { Fail($"queue 0: receive buffer of chain {chain.Head} outside driver memory"); return; }
                at += n;
                if (!q.Push(chain, (uint)n, out string? error, publish: false)) { Fail(error!); return; }
            }
            if (!q.PublishUsed(out string? publishError)) { Fail(publishError!); return; }
            FramesReceived++;
            used = true;
        }
        if (used) SignalUsed(q);
    }

    private void SignalUsed(SplitVirtqueueModel q)
    {
        bool notify = q.ShouldNotify(out string? error);
        if (error != null) { Fail(error); return; }
        if (notify) RaiseIsr(VirtioInterruptStatus.UsedBuffer);
    }
}
