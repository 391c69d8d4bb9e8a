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
/// </summary>
public unsafe struct VirtioNet<TAccess, TTransport, THost> : INic
    where TAccess : struct, IRegisterAccess<TAccess>
    where TTransport : struct, IVirtioTransport<TAccess>
    where THost : struct, IDriverHost
{
    private const uint ReceiveQueue = 0, TransmitQueue = 1;          // 5.1.2
    private const uint SlotStride = 64 + FrameBatch.SlotSize;       // header, indirect table, data
    private const uint HeaderAt = 0, TableAt = 16, DataAt = 64;
    private const uint ResetTimeoutMicroseconds = 1_000_000;

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
        s->Options = options;

        // Queue sizes can be read once the device is reset (4.2.3.2, 4.1.5.1.3).
        NicStatus status = nic.ResetDevice();
        if (status != NicStatus.Ok) return Fail(s, status);
        uint size = options.QueueSize == 0 ? 256 : options.QueueSize;
        size = Min(size, Min(transport.QueueSizeMax(ReceiveQueue), transport.QueueSizeMax(TransmitQueue)));
        while ((size & (size - 1)) != 0) size &= size - 1;           // round down to a power of two
        if (size < 2) return Fail(s, NicStatus.Unsupported);

        s->Rx = VirtqueueSplit.Create(ref nic._host, size);
        s->Tx = VirtqueueSplit.Create(ref nic._host, size);
        s->RxSlots = host.AllocateDma(size * SlotStride, 64);
        s->TxSlots = host.AllocateDma(size * SlotStride, 64);
        s->TxFree = (ushort*)host.AllocatePrivate(size * sizeof(ushort));
        s->TxLength = (ushort*)host.AllocatePrivate(size * sizeof(ushort));
        if (s->Rx == null || s->Tx == null || s->RxSlots.IsEmpty || s->TxSlots.IsEmpty || s->TxFree == null || s->TxLength == null)
            return Fail(s, NicStatus.OutOfMemory);
        s->QueueSize = size;
        return nic.Reset();
    }

    /// <summary>
    /// Resets the device and starts it again with the memory allocated at initialisation (the
    /// recovery after a device error): the 3.1.1 handshake, feature negotiation, queue setup,
    /// configuration read, DRIVER_OK, and the receive queue filled.
    /// </summary>
    public NicStatus Reset()
    {
        VirtioNetState* s = _s;
        if (s == null) return NicStatus.NotInitialised;
        s->Started = false;
        NicStatus status = ResetDevice();
        if (status != NicStatus.Ok) return Fail(s, status);

        // 3.1.1 steps 2-3: we noticed the device and know how to drive it.
        DeviceStatus handshake = DeviceStatus.ACKNOWLEDGE;
        _transport.WriteStatus(handshake);
        handshake |= DeviceStatus.DRIVER;
        _transport.WriteStatus(handshake);

        // Step 4: features. VERSION_1 is mandatory on modern transports (6.1); ACCESS_PLATFORM
        // is accepted whenever offered, and required when the platform translates DMA (6.1).
        var offered = (VirtioNetFeatures)_transport.ReadDeviceFeatures();
        var wanted = VirtioNetFeatures.MAC | VirtioNetFeatures.STATUS | VirtioNetFeatures.MTU
                   | VirtioNetFeatures.RING_EVENT_IDX | VirtioNetFeatures.RING_INDIRECT_DESC
                   | VirtioNetFeatures.ACCESS_PLATFORM;
        if (_transport.Modern) wanted |= VirtioNetFeatures.VERSION_1;
        if (s->Options.NoIndirect) wanted &= ~VirtioNetFeatures.RING_INDIRECT_DESC;
        if (s->Options.NoEventIdx) wanted &= ~VirtioNetFeatures.RING_EVENT_IDX;
        var features = offered & wanted;
        if (_transport.Modern && (features & VirtioNetFeatures.VERSION_1) == 0) return Failed(NicStatus.Unsupported);
        if (_host.TranslatesDma && (features & VirtioNetFeatures.ACCESS_PLATFORM) == 0) return Failed(NicStatus.Unsupported);
        _transport.WriteDriverFeatures((ulong)features);

        // Steps 5-6 (modern only; legacy devices have no FEATURES_OK, 3.1.2).
        if (_transport.Modern)
        {
            handshake |= DeviceStatus.FEATURES_OK;
            _transport.WriteStatus(handshake);
            if ((_transport.ReadStatus() & DeviceStatus.FEATURES_OK) == 0) return Failed(NicStatus.Unsupported);
        }
        s->Features = features;
        s->Indirect = (features & VirtioNetFeatures.RING_INDIRECT_DESC) != 0;
        bool eventIdx = (features & VirtioNetFeatures.RING_EVENT_IDX) != 0;
        // 5.1.6: the header is virtio_net_hdr_v1 (12 bytes) with VERSION_1, else the legacy
        // 10 bytes (no MRG_RXBUF is negotiated).
        s->HeaderLength = _transport.Modern ? (uint)sizeof(VirtioNetHdr) : (uint)sizeof(VirtioNetHdrLegacy);
        s->SlotCount = s->Indirect ? s->QueueSize : s->QueueSize / 2;

        // Step 7: the queues, each buffer's descriptors written once (addresses never change).
        s->Rx->Reset(eventIdx);
        s->Tx->Reset(eventIdx);
        for (uint slot = 0; slot < s->SlotCount; slot++)
        {
            WriteDescriptors(s, s->Rx, s->RxSlots, slot, deviceWrites: true);
            WriteDescriptors(s, s->Tx, s->TxSlots, slot, deviceWrites: false);
        }
        // Interrupts: with MSI-X (the platform enabled vectors) configuration changes and the
        // receive queue share vector 0 (4.1.5.1.2); transmit completions need none.
        uint vector = _host.InterruptVectors > 0 ? 0 : VirtioPciCap.NoVector;
        if (!_transport.SetConfigVector(vector)
            || !_transport.EnableQueue(ReceiveQueue, s->QueueSize, s->Rx->DescriptorArea, s->Rx->DriverArea, s->Rx->DeviceArea, vector, out s->RxNotify)
            || !_transport.EnableQueue(TransmitQueue, s->QueueSize, s->Tx->DescriptorArea, s->Tx->DriverArea, s->Tx->DeviceArea, VirtioPciCap.NoVector, out s->TxNotify))
            return Failed(NicStatus.DeviceError);

        // Device configuration (5.1.4), read consistently with the generation counter (2.5.1).
        if (!new VirtioNetConfig<TAccess>(_transport.DeviceConfig).TryReadSnapshot(_transport, features, out var config))
            return Failed(NicStatus.Timeout);
        ulong mac = 0;
        if (config.Has(VirtioNetFeatures.MAC))
            for (uint i = 0; i < 6; i++) mac |= (ulong)(byte)config.mac(i) << (int)(8 * i);
        s->Mac = new MacAddress(mac);
        s->Mtu = config.Has(VirtioNetFeatures.MTU) ? (ushort)config.mtu : (ushort)1500;
        s->LinkUp = !config.Has(VirtioNetFeatures.STATUS) || config.status.LINK_UP;
        s->Generation = _transport.ReadGeneration();

        // Step 8: the device is live. Then fill the receive queue (5.1.5) and tell the device.
        handshake |= DeviceStatus.DRIVER_OK;
        _transport.WriteStatus(handshake);
        s->TxFreeCount = 0;
        for (uint slot = 0; slot < s->SlotCount; slot++)
        {
            s->TxFree[s->TxFreeCount++] = (ushort)slot;
            s->Rx->Post(Head(s, slot), s->HeaderLength + (uint)FrameBatch.SlotSize);
        }
        s->Tx->SuppressInterrupts();   // transmit completions are reclaimed on the next send
        s->Rx->SuppressInterrupts();   // until WaitForReceive asks for one
        if (s->Rx->Publish()) _transport.Notify(ReceiveQueue, s->RxNotify);
        s->Started = true;
        s->LastError = NicStatus.Ok;
        return NicStatus.Ok;
    }

    /// <inheritdoc/>
    public readonly MacAddress Mac => _s == null ? default : _s->Mac;

    /// <summary>The MTU the device reports (1500 without VIRTIO_NET_F_MTU).</summary>
    public readonly uint Mtu => _s == null ? 0u : _s->Mtu;

    /// <summary>The features negotiated.</summary>
    public readonly VirtioNetFeatures Features => _s == null ? 0 : _s->Features;

    /// <inheritdoc/>
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
    public int Send(in FrameBatch batch)
    {
        VirtioNetState* s = _s;
        if (s == null || !s->Started) return 0;
        if (!ReclaimTransmitted()) return 0;
        int sent = 0;
        for (int i = 0; i < batch.Count && s->TxFreeCount > 0; i++)
        {
            int length = batch.Length(i);
            if (length == 0) continue;
            uint slot = s->TxFree[--s->TxFreeCount];
            byte* buffer = s->TxSlots.Cpu + slot * SlotStride;
            new System.Span<byte>(buffer + HeaderAt, (int)s->HeaderLength).Clear();   // 5.1.6.2: no offloads
            batch.Frame(i).CopyTo(new System.Span<byte>(buffer + DataAt, FrameBatch.SlotSize));
            DataDescriptor(s, s->Tx, s->TxSlots, slot).len = (uint)length;
            s->TxLength[slot] = (ushort)length;
            s->Tx->Post(Head(s, slot), 0);
            sent++;
        }
        if (s->Tx->Publish()) _transport.Notify(TransmitQueue, s->TxNotify);
        return sent;
    }

    /// <inheritdoc/>
    public int Receive(ref FrameBatch batch)
    {
        VirtioNetState* s = _s;
        batch.Count = 0;
        if (s == null || !s->Started) return 0;
        while (batch.Count < batch.Capacity)
        {
            UsedResult result = s->Rx->TryTakeUsed(out uint head, out uint length);
            if (result == UsedResult.Empty) break;
            if (result == UsedResult.ProtocolError || length < s->HeaderLength)
            {
                ProtocolError();
                return batch.Count;
            }
            uint slot = SlotOf(s, head);
            uint frameLength = length - s->HeaderLength;     // <= SlotSize: bounded by what was posted
            new System.ReadOnlySpan<byte>(s->RxSlots.Cpu + slot * SlotStride + DataAt, (int)frameLength)
                .CopyTo(batch.Slot(batch.Count));
            batch.SetLength(batch.Count, (int)frameLength);
            batch.Count++;
            s->Stats.RxFrames++;
            s->Stats.RxBytes += frameLength;
            s->Rx->Post(head, s->HeaderLength + (uint)FrameBatch.SlotSize);
        }
        if (s->Rx->Publish()) _transport.Notify(ReceiveQueue, s->RxNotify);
        return batch.Count;
    }

    /// <inheritdoc/>
    public bool WaitForReceive(uint timeoutMicroseconds)
    {
        VirtioNetState* s = _s;
        if (s == null || !s->Started) return false;
        if (s->Rx->HasUsed) return true;
        Deadline deadline = Deadline.After(ref _host, timeoutMicroseconds);
        if (!s->Options.InterruptMode)
        {
            while (!deadline.Expired(ref _host))
            {
                if (s->Rx->HasUsed) return true;
                if (_transport.ReadGeneration() != s->Generation && RefreshLink()) return s->Rx->HasUsed;
                _host.Delay(10);
            }
            return s->Rx->HasUsed;
        }

        // Interrupt mode (2.7.10): ask for a notification, re-check (a buffer may have been used
        // before the request was visible), then sleep on the interrupt and read the causes.
        s->Rx->EnableInterrupts();
        while (!s->Rx->HasUsed)
        {
            uint left = deadline.Remaining(ref _host);
            if (left == 0) break;
            if (!_host.WaitForInterrupt(left)) continue;
            // With MSI-X the ISR is not used for queues (4.1.4.5); a configuration change also
            // shows in the generation counter, which is checked either way.
            VirtioInterrupt cause = _transport.TakeInterrupt();
            s->Stats.Interrupts++;
            if ((cause.ConfigChange || _transport.ReadGeneration() != s->Generation) && RefreshLink()) break;
        }
        s->Rx->SuppressInterrupts();
        return s->Rx->HasUsed;
    }

    // Reclaims transmitted buffers (2.7.14); false if the device broke the protocol.
    private bool ReclaimTransmitted()
    {
        VirtioNetState* s = _s;
        while (true)
        {
            UsedResult result = s->Tx->TryTakeUsed(out uint head, out _);
            if (result == UsedResult.Empty) return true;
            if (result == UsedResult.ProtocolError) { ProtocolError(); return false; }
            uint slot = SlotOf(s, head);
            s->TxFree[s->TxFreeCount++] = (ushort)slot;
            s->Stats.TxFrames++;
            s->Stats.TxBytes += s->TxLength[slot];
        }
    }

    // Re-reads the link status (5.1.4) and the device status; true when the link changed.
    private bool RefreshLink()
    {
        VirtioNetState* s = _s;
        s->Generation = _transport.ReadGeneration();
        if ((_transport.ReadStatus() & DeviceStatus.DEVICE_NEEDS_RESET) != 0) { ProtocolError(); return true; }
        if ((s->Features & VirtioNetFeatures.STATUS) == 0) return false;
        if (!new VirtioNetConfig<TAccess>(_transport.DeviceConfig).TryReadSnapshot(_transport, s->Features, out var config)) return false;
        bool up = config.status.LINK_UP;
        if (up == s->LinkUp) return false;
        s->LinkUp = up;
        s->Stats.LinkChanges++;
        return true;
    }

    // The device returned something it could not have (or asked for a reset): count it, reset
    // and start again with the same memory. Frames in flight are lost, never delivered twice.
    private void ProtocolError()
    {
        _s->Stats.ProtocolErrors++;
        NicStatus status = Reset();
        _s->LastError = status == NicStatus.Ok ? NicStatus.DeviceError : status;
    }

    // 3.1.1 step 1 (and 4.1.4.3.2, 4.2.3.1.1): write 0 and wait, bounded, until it reads back 0.
    private NicStatus ResetDevice()
    {
        _transport.WriteStatus(0);
        Deadline deadline = Deadline.After(ref _host, ResetTimeoutMicroseconds);
        while (_transport.ReadStatus() != 0)
        {
            if (deadline.Expired(ref _host)) return NicStatus.Timeout;
            _host.Delay(10);
        }
        return NicStatus.Ok;
    }

    // Tells the device the driver gave up (3.1.1 step: FAILED) and records why.
    private NicStatus Failed(NicStatus why)
    {
        _transport.WriteStatus(_transport.ReadStatus() | DeviceStatus.FAILED);
        return Fail(_s, why);
    }

    private static NicStatus Fail(VirtioNetState* s, NicStatus why)
    {
        s->LastError = why;
        s->Started = false;
        return why;
    }

    // Slot k's chain: an indirect descriptor at k pointing at a two-entry table, or descriptors
    // 2k and 2k+1 chained (2.7.5, 2.7.5.3).
    private static void WriteDescriptors(VirtioNetState* s, VirtqueueSplit* q, DmaBuffer slots, uint slot, bool deviceWrites)
    {
        ulong header = slots.Device + slot * SlotStride + HeaderAt;
        ulong data = slots.Device + slot * SlotStride + DataAt;
        VirtqDescFlags write = deviceWrites ? VirtqDescFlags.WRITE : 0;
        uint headerLength = s->HeaderLength;
        uint dataLength = deviceWrites ? (uint)FrameBatch.SlotSize : 0u;
        if (s->Indirect)
        {
            var table = (VirtqDesc*)(slots.Cpu + slot * SlotStride + TableAt);
            Set(ref table[0], header, headerLength, write | VirtqDescFlags.NEXT, 1);
            Set(ref table[1], data, dataLength, write, 0);
            Set(ref q->Descriptor(slot), slots.Device + slot * SlotStride + TableAt, 2 * (uint)sizeof(VirtqDesc), VirtqDescFlags.INDIRECT, 0);
        }
        else
        {
            Set(ref q->Descriptor(2 * slot), header, headerLength, write | VirtqDescFlags.NEXT, (ushort)(2 * slot + 1));
            Set(ref q->Descriptor(2 * slot + 1), data, dataLength, write, 0);
        }
    }

    private static void Set(ref VirtqDesc d, ulong address, uint length, VirtqDescFlags flags, ushort next)
    {
        d.addr = address;
        d.len = length;
        d.flags = flags;
        d.next = next;
    }

    // The descriptor holding slot k's frame data, whose length changes per transmitted frame.
    private static ref VirtqDesc DataDescriptor(VirtioNetState* s, VirtqueueSplit* q, DmaBuffer slots, uint slot)
    {
        if (s->Indirect) return ref ((VirtqDesc*)(slots.Cpu + slot * SlotStride + TableAt))[1];
        return ref q->Descriptor(2 * slot + 1);
    }

    private static uint Head(VirtioNetState* s, uint slot) => s->Indirect ? slot : 2 * slot;

    // Only heads the driver posted come back from TryTakeUsed, so this is always a valid slot.
    private static uint SlotOf(VirtioNetState* s, uint head) => s->Indirect ? head : head / 2;

    private static uint Min(uint a, uint b) => a < b ? a : b;
}
