using System.Runtime.CompilerServices;
using Regs.Runtime;
using Regs.Virtio;

namespace Regs.Drivers.Virtio;

/// <summary>What <see cref="VirtqueueSplit.TryTakeUsed"/> found.</summary>
public enum UsedResult
{
    /// <summary>Nothing new in the used ring.</summary>
    Empty,
    /// <summary>One buffer returned, with a head and length that are plausible.</summary>
    Taken,
    /// <summary>The device returned something the driver never posted (an id not in flight, a length over what was posted, an index that ran ahead): the device must be reset.</summary>
    ProtocolError,
}

/// <summary>
/// The driver side of a split virtqueue (virtio 1.2 section 2.7): descriptor table, available
/// ring and used ring in one DMA area laid out as the legacy interface requires (2.7.2: the used
/// ring on the next <see cref="QueueAlign"/> boundary), which modern transports also accept. The
/// geometry comes from the generated layouts (<see cref="VirtqDesc"/>, <see cref="VirtqAvail.SizeOf"/>,
/// <see cref="VirtqUsed.SizeOf"/>).
/// Lives in the driver's private memory and is used through a pointer, so the state is never
/// copied. Device-written ids, lengths and indices are checked against what was posted.
/// </summary>
public unsafe struct VirtqueueSplit
{
    /// <summary>
    /// Queue Align of the legacy layout (2.7.2: transport-dependent, usually 4096 bytes): the used
    /// ring starts on this boundary. Legacy virtio-mmio is told it through QueueAlign.
    /// </summary>
    public const uint QueueAlign = 4096;

    private DmaBuffer _area;
    private VirtqDesc* _desc;
    private VirtqAvail* _avail;
    private VirtqUsed* _used;
    private byte* _posted;      // per head: 1 while the chain it starts is with the device
    private uint* _writable;    // per head: device-writable bytes posted, the bound for used.len
    private ushort _size;
    private ushort _availIdx;   // the driver's next available index (published on Publish)
    private ushort _published;  // the available index the device was last shown (never read back from shared memory)
    private ushort _lastUsed;   // the next used index to consume
    private ushort _inFlight;
    private bool _eventIdx;
    private bool _ignoreUsedLength;

    /// <summary>Bytes of DMA memory a queue of <paramref name="size"/> entries needs.</summary>
    public static nuint AreaSize(uint size) => (nuint)(DeviceAreaOffset(size) + VirtqUsed.SizeOf(size));

    /// <summary>Where the available ring starts in the area: right after the descriptor table.</summary>
    public static ulong DriverAreaOffset(uint size) => (ulong)sizeof(VirtqDesc) * size;

    /// <summary>Where the used ring starts in the area: after the available ring, on the next <see cref="QueueAlign"/> boundary.</summary>
    public static ulong DeviceAreaOffset(uint size) => Align(DriverAreaOffset(size) + VirtqAvail.SizeOf(size));

    private static ulong Align(ulong value) => (value + QueueAlign - 1) & ~((ulong)QueueAlign - 1);

    /// <summary>
    /// Allocates a queue of <paramref name="size"/> entries (a power of two, at most 32768) from
    /// <paramref name="host"/>; null when memory runs out or the size is invalid.
    /// </summary>
    public static VirtqueueSplit* Create<THost>(ref THost host, uint size) where THost : struct, IDriverHost
    {
        if (size == 0 || size > 32768 || (size & (size - 1)) != 0) return null;
        var q = (VirtqueueSplit*)host.AllocatePrivate((nuint)sizeof(VirtqueueSplit));
        byte* posted = (byte*)host.AllocatePrivate(size);
        uint* writable = (uint*)host.AllocatePrivate(size * sizeof(uint));
        DmaBuffer area = host.AllocateDma(AreaSize(size), QueueAlign);
        if (q == null || posted == null || writable == null || area.IsEmpty) return null;
        q->_area = area;
        q->_size = (ushort)size;
        q->_desc = area.As<VirtqDesc>();
        q->_avail = area.As<VirtqAvail>((nuint)DriverAreaOffset(size));
        q->_used = area.As<VirtqUsed>((nuint)DeviceAreaOffset(size));
        q->_posted = posted;
        q->_writable = writable;
        return q;
    }

    /// <summary>Entries in the queue.</summary>
    public readonly uint Size => _size;
    /// <summary>Device address of the descriptor table.</summary>
    public readonly ulong DescriptorArea => _area.Device;
    /// <summary>Device address of the available ring (the driver area).</summary>
    public readonly ulong DriverArea => _area.Device + DriverAreaOffset(_size);
    /// <summary>Device address of the used ring (the device area).</summary>
    public readonly ulong DeviceArea => _area.Device + DeviceAreaOffset(_size);
    /// <summary>Buffers posted and not yet returned.</summary>
    public readonly uint InFlight => _inFlight;

    /// <summary>
    /// Forgets everything posted and zeroes the rings, for a device that was just reset.
    /// <paramref name="eventIdx"/>: whether RING_EVENT_IDX was negotiated (2.7.7, 2.7.10).
    /// <paramref name="ignoreUsedLength"/>: the queue's buffers are device-readable only (a
    /// transmit queue), so a used element's len carries nothing the driver needs and is not
    /// checked: 2.7.8 defines it over device-writable bytes, yet devices report the bytes they read
    /// (kvmtool does), and Linux's virtio-net ignores it on transmit.
    /// </summary>
    public void Reset(bool eventIdx, bool ignoreUsedLength = false)
    {
        _area.Span.Clear();
        for (uint i = 0; i < _size; i++) { _posted[i] = 0; _writable[i] = 0; }
        _availIdx = 0;
        _published = 0;
        _lastUsed = 0;
        _inFlight = 0;
        _eventIdx = eventIdx;
        _ignoreUsedLength = ignoreUsedLength;
    }

    /// <summary>Descriptor <paramref name="index"/> (wrapped into the table).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ref VirtqDesc Descriptor(uint index) => ref _desc[index & (uint)(_size - 1)];

    /// <summary>
    /// Makes the chain starting at <paramref name="head"/> available (2.7.13 steps 1-3; not yet
    /// visible to the device until <see cref="Publish"/>); <paramref name="writableBytes"/> is the
    /// most the device may report writing. False when that head is already with the device.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Post(uint head, uint writableBytes)
    {
        if (head >= _size || _posted[head] != 0 || _inFlight >= _size) return false;
        _posted[head] = 1;
        _writable[head] = writableBytes;
        VirtqAvail.ring(_avail, (uint)(_availIdx & (_size - 1))).Value = (ushort)head;
        _availIdx++;
        _inFlight++;
        return true;
    }

    /// <summary>
    /// Publishes posted buffers by updating the available index (2.7.13.3: the ring entries and
    /// descriptors are visible first, which volatile stores guarantee) and reports whether the
    /// device wants a notification (2.7.13.4: a full fence, then avail_event or NO_NOTIFY).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Publish()
    {
        ushort old = _published;
        if (old == _availIdx) return false;
        _avail->idx = _availIdx;
        _published = _availIdx;
        MemoryOrder.Full();
        if (_eventIdx)
        {
            ushort ev = VirtqUsed.avail_event(_used, _size).Value;
            return (ushort)(_availIdx - ev - 1) < (ushort)(_availIdx - old);
        }
        return (_used->flags & VirtqUsedFlags.NO_NOTIFY) == 0;
    }

    /// <summary>True when the device has returned buffers not yet taken.</summary>
    public readonly bool HasUsed { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => _used->idx != _lastUsed; }

    /// <summary>
    /// Takes the next used buffer (2.7.14), checking that the device could have produced it: at
    /// most as many entries as are in flight, an id that heads a posted chain, and a length within
    /// what was posted writable (unless the queue ignores used lengths: then the length is 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public UsedResult TryTakeUsed(out uint head, out uint length)
    {
        head = 0;
        length = 0;
        ushort usedIdx = _used->idx;
        if (usedIdx == _lastUsed) return UsedResult.Empty;
        if ((ushort)(usedIdx - _lastUsed) > _inFlight) return UsedResult.ProtocolError;
        ref VirtqUsedElem element = ref VirtqUsed.ring(_used, (uint)(_lastUsed & (_size - 1)));
        uint id = element.id;
        uint len = element.len;
        if (id >= _size || _posted[id] == 0) return UsedResult.ProtocolError;
        if (_ignoreUsedLength) len = 0;
        else if (len > _writable[id]) return UsedResult.ProtocolError;
        _posted[id] = 0;
        _inFlight--;
        _lastUsed++;
        head = id;
        length = len;
        return UsedResult.Taken;
    }

    /// <summary>
    /// Looks at the used element <paramref name="ahead"/> places past the next one without taking
    /// it, with the checks of <see cref="TryTakeUsed"/> (a duplicate id among the elements looked
    /// at is caught when they are taken). Empty when the device has not returned that many: a
    /// packet spread over several buffers (5.1.6.4, MRG_RXBUF) is read whole before any is taken.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly UsedResult PeekUsed(uint ahead, out uint head, out uint length)
    {
        head = 0;
        length = 0;
        ushort usedIdx = _used->idx;
        ushort ready = (ushort)(usedIdx - _lastUsed);
        if (ready > _inFlight) return UsedResult.ProtocolError;
        if (ahead >= ready) return UsedResult.Empty;
        ref VirtqUsedElem element = ref VirtqUsed.ring(_used, (uint)((ushort)(_lastUsed + ahead) & (_size - 1)));
        uint id = element.id;
        uint len = element.len;
        if (id >= _size || _posted[id] == 0) return UsedResult.ProtocolError;
        if (_ignoreUsedLength) len = 0;
        else if (len > _writable[id]) return UsedResult.ProtocolError;
        head = id;
        length = len;
        return UsedResult.Taken;
    }

    /// <summary>
    /// Asks the device for a used-buffer notification at the next returned buffer (2.7.7:
    /// used_event with RING_EVENT_IDX, else clearing NO_INTERRUPT). The caller re-checks
    /// <see cref="HasUsed"/> afterwards: a buffer may have arrived just before.
    /// </summary>
    public void EnableInterrupts()
    {
        if (_eventIdx) VirtqAvail.used_event(_avail, _size).Value = _lastUsed;
        else _avail->flags = 0;
        MemoryOrder.Full();
    }

    /// <summary>
    /// Asks the device not to interrupt (2.7.7): NO_INTERRUPT, or with RING_EVENT_IDX a
    /// used_event just behind the driver so the device's next crossing is 65535 buffers away.
    /// Only a hint: the device may still interrupt.
    /// </summary>
    public void SuppressInterrupts()
    {
        if (_eventIdx) VirtqAvail.used_event(_avail, _size).Value = (ushort)(_lastUsed - 1);
        else _avail->flags = VirtqAvailFlags.NO_INTERRUPT;
    }
}
