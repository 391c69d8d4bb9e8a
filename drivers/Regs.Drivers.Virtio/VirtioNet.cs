using System.Runtime.CompilerServices;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime;
using Regs.Virtio;

namespace Regs.Drivers.Virtio;

/// <summary>
/// A virtio-net driver (virtio 1.2 section 5.1) over any transport. One receive and one transmit
/// queue; every buffer is a header segment and a data segment, sent as an indirect table when
/// RING_INDIRECT_DESC is negotiated and as a two-descriptor chain otherwise, so no device framing
/// assumption is needed (legacy devices without ANY_LAYOUT require the header on its own).
/// The struct is a handle: its state lives in the host's private memory.
/// <para>
/// A device is not trusted: every used element is checked (<see cref="VirtqueueSplit"/>), every
/// wait is bounded, and a device that breaks the protocol, asks for a reset, loses its state or
/// stops answering is reset and started again with the memory allocated at initialisation. The
/// fast path reads no extra register for this: the status is read only on idle and stuck paths
/// (a wait that found nothing, a full transmit ring), at most once per health interval.
/// </para>
/// </summary>
public unsafe partial struct VirtioNet<TAccess, TTransport, THost> : INic
    where TAccess : struct, IRegisterAccess<TAccess>
    where TTransport : struct, IVirtioTransport<TAccess>
    where THost : struct, IDriverHost
{
    private const uint ReceiveQueue = 0, TransmitQueue = 1;          // 5.1.2
    // Every buffer is two descriptors, header then frame data: a chain, or an indirect table.
    private const uint DescriptorsPerBuffer = 2;
    // One slot of DMA memory per buffer: the header (at most sizeof(VirtioNetHdr) = 12 bytes) in
    // a 16-byte field, the receive indirect table (DescriptorsPerBuffer VirtqDescs of 16 bytes,
    // 16-byte aligned as 2.7 requires of descriptor tables), then the frame data on the next cache
    // line: 2 KiB for transmit slots, RxDataBytes for receive slots (more than 2 KiB for big
    // buffers: an MTU above 2030 without MRG_RXBUF).
    private const uint CacheLine = 64;
    private const uint HeaderAt = 0, TableAt = 16, DataAt = CacheLine;
    private const uint TxSlotStride = DataAt + FrameBatch.SlotSize;
    // Written into the flags of every receive header before it is posted. A device that used the
    // buffer overwrote it (5.1.6.4: only bits 0-2 are defined), so finding it means a completion
    // for a buffer the device never filled: a duplicate or stale used element.
    private const byte RxUnwritten = byte.MaxValue;
    // The MTU without VIRTIO_NET_F_MTU: Ethernet's.
    private const ushort DefaultMtu = EthernetFrames.StandardMtu;
    private const int EthernetHeaderAndTag = EthernetFrames.HeaderAndTagLength;
    // Bytes of the configuration space up to the end of each field the driver reads (5.1.4):
    // mac[6], then le16 status, le16 max_virtqueue_pairs, le16 mtu.
    private const uint ConfigThroughMac = 6, ConfigThroughStatus = 8, ConfigThroughMtu = 12;

    private TTransport _transport;
    private THost _host;
    private VirtioNetState* _s;

    /// <summary>
    /// Initialises the device behind <paramref name="transport"/> (3.1.1 and 5.1.5): allocates the
    /// queues and buffers once from <paramref name="host"/>, then resets and starts the device.
    /// </summary>
    public static NicStatus Initialise(TTransport transport, THost host, VirtioNetOptions options, out VirtioNet<TAccess, TTransport, THost> nic)
    {
        nic = default;
        nic._transport = transport;
        nic._host = host;
        var s = (VirtioNetState*)host.AllocatePrivate((nuint)sizeof(VirtioNetState));
        if (s == null) return NicStatus.OutOfMemory;
        nic._s = s;
        options = options.WithDefaults();          // 0 means "the default"
        s->Options = options;
        // 5.1.4.2: without VIRTIO_NET_F_MAC the driver uses a random locally administered address. Chosen once, so it
        // stays the same across recoveries; the seed comes from the caller or the host's clock.
        s->RandomMac = RandomLocalMac(options.MacSeed != 0 ? options.MacSeed : host.NowMicroseconds() ^ (ulong)s);

        // Queue sizes can be read once the device is reset (4.2.3.2, 4.1.5.1.3).
        NicStatus status = nic.ResetDevice();
        if (status != NicStatus.Ok)
        {
            // No queues yet, so nothing to restart with: this failure is final (not retried).
            nic.RecordFailure(s, status);
            s->Recovering = false;
            return status;
        }
        uint size = Min(options.QueueSize, Min(transport.QueueSizeMax(ReceiveQueue), transport.QueueSizeMax(TransmitQueue)));
        while ((size & (size - 1)) != 0) size &= size - 1;           // round down to a power of two
        if (size < DescriptorsPerBuffer) return nic.RecordFailure(s, NicStatus.Unsupported);

        s->Rx = VirtqueueSplit.Create(ref nic._host, size);
        s->Tx = VirtqueueSplit.Create(ref nic._host, size);
        // Receive buffers: 2 KiB of frame data each, as long as the device offers MRG_RXBUF (a big
        // frame spreads over several, 5.1.6.3.1). Without it, each buffer must hold a whole frame
        // of the largest MTU the options accept (5.1.4.2): big buffers of MaxMtu + 18 rounded up to
        // 2 KiB, as Linux's add_recvbuf_big sizes them (one contiguous segment here: the memory is
        // one allocation). If that much memory is not there, 2 KiB buffers and a smaller MTU.
        var offered = (VirtioNetFeatures)transport.ReadDeviceFeatures();
        bool mergeable = (offered & VirtioNetFeatures.MRG_RXBUF) != 0 && !options.NoMergeableBuffers;
        uint bigFrame = options.MaxMtu + (uint)EthernetHeaderAndTag;
        uint rxData = FrameBatch.SlotSize;
        if (!mergeable && bigFrame > rxData)
        {
            uint big = (bigFrame + FrameBatch.SlotSize - 1) / FrameBatch.SlotSize * FrameBatch.SlotSize;
            s->RxSlots = host.AllocateDma(size * (DataAt + big), CacheLine);
            if (!s->RxSlots.IsEmpty) rxData = big;
        }
        if (s->RxSlots.IsEmpty) s->RxSlots = host.AllocateDma(size * (DataAt + rxData), CacheLine);
        s->RxDataBytes = rxData;
        s->RxStride = DataAt + rxData;
        s->TxSlots = host.AllocateDma(size * TxSlotStride, CacheLine);
        if ((offered & VirtioNetFeatures.RING_INDIRECT_DESC) != 0 && !options.NoIndirect)
            s->TxTables = host.AllocateDma(size * TxTableStride, 16);     // 2.7.5.3: 16-byte aligned tables
        s->TxFree = (ushort*)host.AllocatePrivate(size * sizeof(ushort));
        s->TxNext = (ushort*)host.AllocatePrivate(size * sizeof(ushort));
        s->TxLength = (uint*)host.AllocatePrivate(size * sizeof(uint));
        if (s->Rx == null || s->Tx == null || s->RxSlots.IsEmpty || s->TxSlots.IsEmpty
            || s->TxFree == null || s->TxNext == null || s->TxLength == null)
            return nic.RecordFailure(s, NicStatus.OutOfMemory);
        s->QueueSize = size;
        return nic.Reset();
    }

    /// <summary>
    /// Resets the device and starts it again with the memory allocated at initialisation (the
    /// recovery after a device error): the 3.1.1 handshake, feature negotiation, queue setup,
    /// configuration read, DRIVER_OK, and the receive queue filled. Clears <see cref="LastError"/>
    /// on success; on a timeout or device error the driver keeps retrying by itself. NotInitialised
    /// when initialisation stopped before the queues existed.
    /// </summary>
    public NicStatus Reset()
    {
        if (_s == null) return NicStatus.NotInitialised;
        NicStatus status = Restart();
        if (status == NicStatus.Ok) _s->LastError = NicStatus.Ok;
        return status;
    }

    // Reset() without clearing LastError: the recovery path keeps the fault it recovers from.
    private NicStatus Restart()
    {
        VirtioNetState* s = _s;
        if (s->QueueSize == 0) return NicStatus.NotInitialised;     // Initialise stopped before the queues existed
        s->Started = false;
        NicStatus status = ResetDevice();
        if (status != NicStatus.Ok) return RecordFailure(s, status);

        // 3.1.1 steps 2-3: we noticed the device and know how to drive it.
        DeviceStatus handshake = DeviceStatus.ACKNOWLEDGE;
        _transport.WriteStatus(handshake);
        handshake |= DeviceStatus.DRIVER;
        _transport.WriteStatus(handshake);

        // Step 4: features. VERSION_1 is mandatory on modern transports (6.1); ACCESS_PLATFORM
        // is accepted whenever offered, and required when the platform translates DMA (6.1).
        // ORDER_PLATFORM is accepted whenever offered (6: SHOULD; a device may refuse to run
        // without it): MemoryOrder's fences are the platform's device ordering.
        var offered = (VirtioNetFeatures)_transport.ReadDeviceFeatures();
        var wanted = VirtioNetFeatures.MAC | VirtioNetFeatures.STATUS | VirtioNetFeatures.MTU
                   | VirtioNetFeatures.RING_EVENT_IDX | VirtioNetFeatures.RING_INDIRECT_DESC
                   | VirtioNetFeatures.ACCESS_PLATFORM | WantedOffloads(s->Options.Offloads);
        if (_transport.Modern) wanted |= VirtioNetFeatures.VERSION_1 | VirtioNetFeatures.ORDER_PLATFORM;
        if (s->Options.NoIndirect || s->TxTables.IsEmpty) wanted &= ~VirtioNetFeatures.RING_INDIRECT_DESC;
        if (s->Options.NoEventIdx) wanted &= ~VirtioNetFeatures.RING_EVENT_IDX;
        // MRG_RXBUF only when the buffers were sized for it (2 KiB each, a frame over several).
        if (!s->Options.NoMergeableBuffers && s->RxDataBytes == FrameBatch.SlotSize) wanted |= VirtioNetFeatures.MRG_RXBUF;
        // No feature whose configuration field lies beyond what the device lets the driver read.
        uint configLength = _transport.DeviceConfigLength;
        if (configLength < ConfigThroughMac) wanted &= ~VirtioNetFeatures.MAC;
        if (configLength < ConfigThroughStatus) wanted &= ~VirtioNetFeatures.STATUS;
        if (configLength < ConfigThroughMtu) wanted &= ~VirtioNetFeatures.MTU;
        // The layout in effect decides what a frame can be: header length, buffers per queue,
        // the longest frame a receive and a transmit chain hold.
        var usable = offered & wanted;
        s->Indirect = (usable & VirtioNetFeatures.RING_INDIRECT_DESC) != 0;
        s->Mergeable = (usable & VirtioNetFeatures.MRG_RXBUF) != 0;
        // 5.1.6: the header is 12 bytes (virtio_net_hdr_v1) with VERSION_1 or MRG_RXBUF, else the
        // legacy 10 bytes (5.1.6.1).
        s->HeaderLength = _transport.Modern || s->Mergeable ? (uint)sizeof(VirtioNetHdr) : (uint)sizeof(VirtioNetHdrLegacy);
        s->SlotCount = s->Indirect ? s->QueueSize : s->QueueSize / DescriptorsPerBuffer;
        s->RxCapacity = ReceiveCapacity(s);
        s->TxCapacity = TransmitCapacity(s);
        // 5.1.3.1: no feature without the ones it requires (checksums under segmentation, TSO
        // under ECN); receive coalescing only when a 64 KiB frame fits the receive buffers
        // (5.1.6.3: with GUEST_TSO the buffers must take the largest packet).
        usable = Dependencies(usable, s->RxCapacity >= FrameBatch.MaxLength);
        // 5.1.4.2: VIRTIO_NET_F_MTU only when honoured, decided from mtu before FEATURES_OK (as
        // Linux's virtnet_validate): an mtu below 68 is invalid (5.1.4.1) and refused. Up to the
        // driver's bound (the options' MaxMtu, what a transmit and a receive chain hold) it is the
        // MTU; above it the feature is still accepted when the receive buffers hold a frame of the
        // device's mtu (MRG_RXBUF gathers up to 64 KiB) and the driver keeps to its bound (it MUST
        // NOT transmit more than mtu, and sends less); otherwise it is refused and the MTU is 1500.
        uint bound = s->Options.MaxMtu;
        if (bound + EthernetHeaderAndTag > (uint)s->RxCapacity) bound = (uint)s->RxCapacity - EthernetHeaderAndTag;
        if (bound + EthernetHeaderAndTag > (uint)s->TxCapacity) bound = (uint)s->TxCapacity - EthernetHeaderAndTag;
        ushort fallback = bound < DefaultMtu ? (ushort)bound : DefaultMtu;
        ushort mtu = fallback;
        if ((usable & VirtioNetFeatures.MTU) != 0)
        {
            uint deviceMtu = new VirtioNetConfig<TAccess>(_transport.DeviceConfig).mtu.Read();
            if (deviceMtu >= VirtioNetConfig.MinMtu && deviceMtu <= bound) mtu = (ushort)deviceMtu;
            else if (deviceMtu > bound && deviceMtu + EthernetHeaderAndTag <= (uint)s->RxCapacity) mtu = (ushort)bound;
            else usable &= ~VirtioNetFeatures.MTU;
        }
        var features = usable;
        if (_transport.Modern && (features & VirtioNetFeatures.VERSION_1) == 0) return MarkDeviceFailed(NicStatus.Unsupported);
        if (_host.TranslatesDma && (features & VirtioNetFeatures.ACCESS_PLATFORM) == 0) return MarkDeviceFailed(NicStatus.Unsupported);
        _transport.WriteDriverFeatures((ulong)features);

        // Steps 5-6 (modern only; legacy devices have no FEATURES_OK, 3.1.2).
        if (_transport.Modern)
        {
            handshake |= DeviceStatus.FEATURES_OK;
            _transport.WriteStatus(handshake);
            if ((_transport.ReadStatus() & DeviceStatus.FEATURES_OK) == 0) return MarkDeviceFailed(NicStatus.Unsupported);
        }
        s->Features = features;
        s->Offloads = OffloadsOf(features);
        bool eventIdx = (features & VirtioNetFeatures.RING_EVENT_IDX) != 0;

        // Step 7: the queues, each buffer's descriptors written once (addresses never change).
        s->Rx->Reset(eventIdx);
        s->Tx->Reset(eventIdx, ignoreUsedLength: true);   // transmit buffers are device-readable only
        for (uint slot = 0; slot < s->SlotCount; slot++) WriteReceiveDescriptors(s, slot);
        // Interrupts: with MSI-X (the platform enabled vectors) configuration changes and the
        // receive queue share vector 0 (4.1.5.1.2); transmit completions need none.
        uint vector = _host.InterruptVectors > 0 ? 0 : VirtioPciCap.NoVector;
        s->Msix = vector != VirtioPciCap.NoVector;
        // A line interrupt only when the driver sleeps on it: polling (or MSI-X) leaves INTx
        // disabled (PCI Command.InterruptDisable), as the igb driver does.
        _transport.EnableLineInterrupt(s->Options.InterruptMode && !s->Msix);
        if (!_transport.SetConfigVector(vector)
            || !_transport.EnableQueue(ReceiveQueue, s->QueueSize, s->Rx->DescriptorArea, s->Rx->DriverArea, s->Rx->DeviceArea, vector, out s->RxNotify)
            || !_transport.EnableQueue(TransmitQueue, s->QueueSize, s->Tx->DescriptorArea, s->Tx->DriverArea, s->Tx->DeviceArea, VirtioPciCap.NoVector, out s->TxNotify))
            return MarkDeviceFailed(NicStatus.DeviceError);

        // Device configuration (5.1.4), read consistently with the generation counter (2.5.1).
        if (!new VirtioNetConfig<TAccess>(_transport.DeviceConfig).TryReadSnapshot(_transport, features, out var config))
        {
            s->Stats.Timeouts++;                     // the configuration never held still (bounded retries)
            return MarkDeviceFailed(NicStatus.Timeout);
        }
        ulong mac = 0;
        if (config.Has(VirtioNetFeatures.MAC))
            for (uint i = 0; i < VirtioNetConfig.macCount; i++) mac |= (ulong)(byte)config.mac(i) << (int)(8 * i);
        else
            mac = s->RandomMac;                      // 5.1.4.2: no MAC offered, a random one
        s->Mac = new MacAddress(mac);
        // The mtu validated before FEATURES_OK (it never changes once set, 5.1.4).
        s->Mtu = (features & VirtioNetFeatures.MTU) != 0 ? mtu : fallback;
        s->MaxFrame = s->Mtu + EthernetHeaderAndTag;
        s->LinkUp = !config.Has(VirtioNetFeatures.STATUS) || config.status.LINK_UP;
        s->Generation = _transport.ReadGeneration();

        // Still step 7 (5.1.5): fill the receive queue before the device goes live, so it has
        // buffers the moment DRIVER_OK is set. Made available now, notified only after DRIVER_OK
        // (3.1.1: no notification before it).
        s->TxFreeCount = 0;
        for (uint slot = 0; slot < s->SlotCount; slot++)
        {
            s->TxFree[s->TxFreeCount++] = (ushort)slot;
            PostReceive(s, slot);
        }
        s->Tx->SuppressInterrupts();   // transmit completions are reclaimed on the next send
        s->Rx->SuppressInterrupts();   // until WaitForReceive asks for one
        bool notifyReceive = s->Rx->Publish();

        // Step 8: the device is live.
        handshake |= DeviceStatus.DRIVER_OK;
        _transport.WriteStatus(handshake);
        if (notifyReceive) _transport.Notify(ReceiveQueue, s->RxNotify);
        s->Started = true;
        s->Recovering = false;
        s->TxMark = default;
        s->RxMark = default;
        return NicStatus.Ok;
    }

    /// <inheritdoc/>
    public readonly MacAddress Mac => _s == null ? default : _s->Mac;

    /// <summary>The MTU in effect: the device's when VIRTIO_NET_F_MTU was negotiated (only for one the driver honours), else 1500.</summary>
    public readonly uint Mtu => _s == null ? 0u : _s->Mtu;

    /// <summary>The features negotiated.</summary>
    public readonly VirtioNetFeatures Features => _s == null ? 0 : _s->Features;

    /// <summary>
    /// What went wrong last: <see cref="NicStatus.DeviceError"/> after a protocol error or a device
    /// that asked for a reset or lost its state, <see cref="NicStatus.Timeout"/> after a stall or a
    /// reset that did not complete. It stays set after the driver recovered by itself (the
    /// counters in <see cref="Stats"/> tell how often); a successful <see cref="Reset"/> clears it.
    /// </summary>
    public readonly NicStatus LastError => _s == null ? NicStatus.NotInitialised : _s->LastError;

    /// <inheritdoc/>
    public readonly NicStats Stats() => _s == null ? default : _s->Stats;

    /// <inheritdoc/>
    public LinkState Link()
    {
        if (_s == null || !_s->Started) return default;
        RefreshLink();
        return new LinkState(_s->LinkUp, 0, true);
    }

    /// <inheritdoc/>
    public readonly int MaxFrameLength => _s == null ? 0 : _s->MaxFrame;

    /// <inheritdoc/>
    public readonly NicOffloads Offloads => _s == null ? NicOffloads.None : _s->Offloads;

    /// <inheritdoc/>
    public bool WaitForReceive(uint timeoutMicroseconds)
    {
        VirtioNetState* s = _s;
        if (s == null) return false;
        if (!s->Started && !RetryRecovery())
        {
            // Down (a recovery not yet due, or a failure that is final): the time passes as asked,
            // as with igb, so a caller's loop never spins.
            _host.Delay(timeoutMicroseconds);
            return false;
        }
        if (s->Rx->HasUsed) return true;
        ulong recoveries = s->Stats.Recoveries;
        Deadline deadline = Deadline.After(ref _host, timeoutMicroseconds);
        if (!s->Options.InterruptMode)
        {
            while (!deadline.Expired(ref _host))
            {
                if (s->Rx->HasUsed) return true;
                if (_transport.ReadGeneration() != s->Generation && RefreshLink()) return s->Started && s->Rx->HasUsed;
                CheckHealth();
                if (s->Stats.Recoveries != recoveries) return false;
                _host.Delay(10);
            }
            CheckHealth();
            return s->Started && s->Rx->HasUsed;
        }

        // Interrupt mode (2.7.7, 2.7.14): ask for a notification, re-check (a buffer may have been used
        // before the request was visible), then sleep on the interrupt and read the causes. The
        // health check runs after each wake-up and when the wait times out.
        s->Rx->EnableInterrupts();
        while (!s->Rx->HasUsed)
        {
            uint left = deadline.Remaining(ref _host);
            if (left == 0) break;
            if (_host.WaitForInterrupt(left))
            {
                // 4.1.4.5.1: with MSI-X the driver MUST NOT read the ISR (a configuration change
                // shows in the generation counter, checked either way); with INTx, reading it
                // acknowledges the causes and deasserts the line.
                VirtioInterrupt cause = s->Msix ? default : _transport.TakeInterrupt();
                s->Stats.Interrupts++;
                if ((cause.ConfigChange || _transport.ReadGeneration() != s->Generation) && RefreshLink()) break;
            }
            CheckHealth();
            if (s->Stats.Recoveries != recoveries) return false;
        }
        if (!s->Started) return false;
        s->Rx->SuppressInterrupts();
        if (!s->Rx->HasUsed) CheckHealth();
        return s->Started && s->Rx->HasUsed;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Acknowledges what is pending (with INTx the ISR, which deasserts the line; VFIO's eventfd
    /// count, which also unmasks INTx), asks for a used-buffer notification (2.7.10: used_event
    /// with VIRTIO_F_EVENT_IDX, else clearing VIRTQ_AVAIL_F_NO_INTERRUPT), then looks at the used
    /// ring again after a full barrier, as Linux's virtqueue_enable_cb does: a buffer used before
    /// the request was visible raises nothing, and is found by that look (then notifications are
    /// suppressed again and the answer is false).
    /// </remarks>
    public bool ArmInterrupt()
    {
        VirtioNetState* s = _s;
        if (s == null || !s->Started || !s->Options.InterruptMode) return false;
        for (int round = 0; round < 4; round++)
        {
            if (!s->Msix) _transport.TakeInterrupt();
            if (!_host.WaitForInterrupt(0)) break;
        }
        if (_transport.ReadGeneration() != s->Generation && RefreshLink()) return false;
        s->Rx->EnableInterrupts();   // ends with a full barrier
        if (!s->Rx->HasUsed) return true;
        s->Rx->SuppressInterrupts();
        return false;
    }

    /// <inheritdoc/>
    /// <remarks>Consumes the eventfd (INTx: reads the ISR too, 4.1.4.5.1), re-reads the link on a configuration change, suppresses notifications again and runs the health check when nothing was used.</remarks>
    public bool AcknowledgeInterrupt()
    {
        VirtioNetState* s = _s;
        if (s == null || !s->Started) return false;
        if (_host.WaitForInterrupt(0))
        {
            VirtioInterrupt cause = s->Msix ? default : _transport.TakeInterrupt();
            s->Stats.Interrupts++;
            if (cause.ConfigChange || _transport.ReadGeneration() != s->Generation) RefreshLink();
        }
        if (!s->Started) return false;
        s->Rx->SuppressInterrupts();
        if (!s->Rx->HasUsed) CheckHealth();
        return s->Started && s->Rx->HasUsed;
    }

    // Re-reads the device status and the link status (5.1.4); true when the link changed or the
    // device was found broken (and reset).
    private bool RefreshLink()
    {
        VirtioNetState* s = _s;
        uint generation = _transport.ReadGeneration();
        // A configuration change noticed without sleeping on the interrupt: acknowledge its
        // interrupt cause (4.1.4.5, 4.2.2), so a pending cause is not left behind. Never the ISR
        // with MSI-X (4.1.4.5.1).
        if (generation != s->Generation && !s->Msix && !s->Options.InterruptMode) _transport.TakeInterrupt();
        s->Generation = generation;
        if (Broken(_transport.ReadStatus())) { DeviceError(); return true; }
        if ((s->Features & VirtioNetFeatures.STATUS) == 0) return false;
        if (!new VirtioNetConfig<TAccess>(_transport.DeviceConfig).TryReadSnapshot(_transport, s->Features, out var config))
        {
            s->Stats.Timeouts++;                     // 2.5.1: the generation never held still
            Recover(NicStatus.Timeout);
            return true;
        }
        bool up = config.status.LINK_UP;
        if (up == s->LinkUp) return false;
        s->LinkUp = up;
        s->Stats.LinkChanges++;
        return true;
    }

    // The idle and stuck paths' look at the device, at most once per health interval: a status
    // asking for a reset or showing the device was reset behind our back (no DRIVER_OK), transmit
    // buffers out with none back for the transmit timeout, and (when enabled) a receive queue
    // silent on an up link for the watchdog time. Detection latency: the interval, plus the timeout
    // for stalls (docs/reliability.md).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CheckHealth()
    {
        VirtioNetState* s = _s;
        if (!s->Started) return;
        ulong now = _host.NowMicroseconds();
        if (now < s->NextHealthCheck) return;
        s->NextHealthCheck = now + s->Options.HealthCheckIntervalMicroseconds;
        if (Broken(_transport.ReadStatus())) { DeviceError(); return; }
        bool txStuck = s->Tx->InFlight != 0 && !s->Tx->HasUsed;
        bool rxSilent = s->Options.ReceiveWatchdogMicroseconds != 0 && s->LinkUp && !s->Rx->HasUsed;
        bool txExpired = s->TxMark.Expired(txStuck, s->Stats.TxFrames, now, s->Options.TransmitTimeoutMicroseconds);
        bool rxExpired = s->RxMark.Expired(rxSilent, s->Stats.RxFrames, now, s->Options.ReceiveWatchdogMicroseconds);
        if (txExpired || rxExpired)
        {
            s->Stats.Timeouts++;
            Recover(NicStatus.Timeout);
        }
    }

    // 2.1.2: DEVICE_NEEDS_RESET; 2.4: a device that was reset reads 0, so DRIVER_OK is gone.
    private static bool Broken(DeviceStatus status)
        => (status & DeviceStatus.DEVICE_NEEDS_RESET) != 0 || (status & DeviceStatus.DRIVER_OK) == 0;

    // The device returned something it could not have: count it and recover.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ProtocolError()
    {
        _s->Stats.ProtocolErrors++;
        Recover(NicStatus.DeviceError);
    }

    // The device asked for a reset or lost its state: count it and recover.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void DeviceError()
    {
        _s->Stats.DeviceErrors++;
        Recover(NicStatus.DeviceError);
    }

    // Resets the device and starts it again with the same memory, recording why. Frames in
    // flight are lost, never delivered twice: every ring starts empty and every receive buffer
    // is marked unwritten again. If the reset fails, Send, Receive and WaitForReceive retry it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Recover(NicStatus why)
    {
        VirtioNetState* s = _s;
        s->Stats.Recoveries++;
        NicStatus status = Restart();
        s->LastError = status == NicStatus.Ok ? why : status;
    }

    // A failed recovery tried again, at most once per recovery interval; true once the device runs.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool RetryRecovery()
    {
        VirtioNetState* s = _s;
        if (!s->Recovering) return false;
        ulong now = _host.NowMicroseconds();
        if (now < s->NextRecovery) return false;
        s->Stats.Recoveries++;
        NicStatus status = Restart();
        if (status != NicStatus.Ok) s->LastError = status;
        return s->Started;
    }

    // 3.1.1 step 1 (and 4.1.4.3.2, 4.2.3.1.1): write 0 and wait, bounded, until it reads back 0.
    private NicStatus ResetDevice()
    {
        _transport.WriteStatus(0);
        Deadline deadline = Deadline.After(ref _host, _s->Options.ResetTimeoutMicroseconds);
        while (_transport.ReadStatus() != 0)
        {
            if (deadline.Expired(ref _host))
            {
                _s->Stats.Timeouts++;
                return NicStatus.Timeout;
            }
            _host.Delay(10);
        }
        _transport.AllowDma();
        return NicStatus.Ok;
    }

    // The device cannot be driven as it is: sets FAILED in its status (3.1.1, 2.1: the driver gave
    // up on the device), then records why (RecordFailure). Used once the handshake has begun.
    private NicStatus MarkDeviceFailed(NicStatus why)
    {
        _transport.WriteStatus(_transport.ReadStatus() | DeviceStatus.FAILED);
        return RecordFailure(_s, why);
    }

    // Records why the device is not running, without touching the device; a timeout or device
    // error may heal, so it is retried after the recovery interval.
    private NicStatus RecordFailure(VirtioNetState* s, NicStatus why)
    {
        s->LastError = why;
        s->Started = false;
        s->Recovering = why == NicStatus.Timeout || why == NicStatus.DeviceError;
        s->NextRecovery = _host.NowMicroseconds() + s->Options.RecoveryIntervalMicroseconds;
        return why;
    }

    // Receive slot k's chain, written once: an indirect descriptor at k pointing at a two-entry
    // table, or descriptors 2k and 2k+1 chained (2.7.5, 2.7.5.3); both device-writable.
    private static void WriteReceiveDescriptors(VirtioNetState* s, uint slot)
    {
        byte* cpu = s->RxSlots.Cpu + slot * s->RxStride;
        ulong device = s->RxSlots.Device + slot * s->RxStride;
        VirtqDescFlags write = VirtqDescFlags.WRITE;
        if (s->Indirect)
        {
            var table = (VirtqDesc*)(cpu + TableAt);
            Set(ref table[0], device + HeaderAt, s->HeaderLength, write | VirtqDescFlags.NEXT, 1);
            Set(ref table[1], device + DataAt, s->RxDataBytes, write, 0);
            Set(ref s->Rx->Descriptor(slot), device + TableAt, DescriptorsPerBuffer * (uint)sizeof(VirtqDesc), VirtqDescFlags.INDIRECT, 0);
        }
        else
        {
            uint head = DescriptorsPerBuffer * slot;
            Set(ref s->Rx->Descriptor(head), device + HeaderAt, s->HeaderLength, write | VirtqDescFlags.NEXT, (ushort)(head + 1));
            Set(ref s->Rx->Descriptor(head + 1), device + DataAt, s->RxDataBytes, write, 0);
        }
    }

    private static void Set(ref VirtqDesc d, ulong address, uint length, VirtqDescFlags flags, ushort next)
    {
        d.addr = address;
        d.len = length;
        d.flags = flags;
        d.next = next;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Head(VirtioNetState* s, uint slot) => s->Indirect ? slot : DescriptorsPerBuffer * slot;

    // Only heads the driver posted come back from TryTakeUsed, so this is always a valid slot.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint SlotOf(VirtioNetState* s, uint head) => s->Indirect ? head : head / DescriptorsPerBuffer;

    private static uint Min(uint a, uint b) => a < b ? a : b;

    // A locally administered unicast address from a seed (IEEE 802: bit 1 of the first octet set,
    // bit 0 clear). splitmix64 spreads a clock reading over all 46 free bits.
    private static ulong RandomLocalMac(ulong seed)
    {
        ulong z = seed + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z & 0xFFFF_FFFF_FFFFUL & ~1UL) | 2UL;   // octet 0 is the low byte (as the config's mac[0])
    }

}
