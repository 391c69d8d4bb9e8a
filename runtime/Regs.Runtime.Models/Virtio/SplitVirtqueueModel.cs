using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Threading;
using static Regs.Runtime.Models.Virtio.SplitRingLayout;

namespace Regs.Runtime.Models.Virtio;

/// <summary>
/// The device side of one split virtqueue (virtio 1.2 2.7): takes descriptor chains off the
/// available ring, validates every descriptor, moves data by bounds-checked DMA and returns the
/// chains on the used ring, with notification suppression (2.7.7, 2.7.10). Any violation makes
/// the owning device set DEVICE_NEEDS_RESET and stop, instead of touching other memory.
/// </summary>
public sealed class SplitVirtqueueModel
{
    private readonly VirtioNetDevice _device;
    private ushort _signalledUsed;
    private bool _signalledValid;
    private uint _previousId, _previousLength;   // the last element pushed, for a duplicate completion
    private bool _previousValid;
    private ushort? _frozenIndex;                 // a bad used idx the device keeps publishing until reset

    internal SplitVirtqueueModel(VirtioNetDevice device, int index, ushort maxSize)
    {
        _device = device;
        Index = index;
        MaxSize = maxSize;
        Reset();
    }

    /// <summary>The queue's index (0 receiveq, 1 transmitq).</summary>
    public int Index { get; }

    /// <summary>The largest queue size the device accepts.</summary>
    public ushort MaxSize { get; }

    /// <summary>The queue size the driver chose (the maximum after reset).</summary>
    public ushort Size { get; internal set; }

    /// <summary>Device address of the descriptor table.</summary>
    public ulong DescriptorArea { get; internal set; }

    /// <summary>Device address of the driver (available) area.</summary>
    public ulong DriverArea { get; internal set; }

    /// <summary>Device address of the device (used) area.</summary>
    public ulong DeviceArea { get; internal set; }

    /// <summary>True once the driver enabled the queue (queue_enable, QueueReady, non-zero QueuePFN).</summary>
    public bool Enabled { get; private set; }

    /// <summary>The next available ring position the device will consume.</summary>
    public ushort LastAvailIndex { get; private set; }

    /// <summary>The used ring idx the device last published.</summary>
    public ushort UsedIndex { get; private set; }

    /// <summary>Available-buffer notifications the driver sent for this queue.</summary>
    public long Notifications { get; internal set; }

    /// <summary>Used-buffer notifications the device sent for this queue (not suppressed ones).</summary>
    public long Interrupts { get; private set; }

    /// <summary>MSI-X vector the driver stored (virtio-pci queue_msix_vector); not used for delivery.</summary>
    public ushort MsixVector { get; internal set; }

    internal bool EventIdx => _device.Negotiated(VirtioFeatureBits.EVENT_IDX);

    /// <summary>Back to the reset state: disabled, maximum size, no addresses (2.4, 4.1.4.3.2).</summary>
    internal void Reset()
    {
        Disable();
        Size = MaxSize;
        DescriptorArea = DriverArea = DeviceArea = 0;
        _signalledUsed = 0;
        MsixVector = VirtioPciCommonConfig.NoVector;
    }

    /// <summary>
    /// Enables the queue with its current size and areas; false (with the reason) when they break
    /// the alignment and size rules of 2.7 (table "Virtqueue Part Alignment") or miss DMA memory.
    /// </summary>
    internal bool Enable(out string? error)
    {
        error = null;
        if (Size == 0 || Size > MaxSize || (Size & (Size - 1)) != 0)
            error = $"queue {Index}: size {Size} is not a power of 2 in 1..{MaxSize} (2.7)";
        else if ((DescriptorArea & (DescriptorAlign - 1)) != 0 || (DriverArea & (AvailAlign - 1)) != 0 || (DeviceArea & (UsedAlign - 1)) != 0)
            error = $"queue {Index}: misaligned areas desc 0x{DescriptorArea:X} driver 0x{DriverArea:X} device 0x{DeviceArea:X} (2.7)";
        if (error != null) return false;
        ForgetRunState();
        Enabled = true;
        return true;
    }

    /// <summary>Stops the queue (legacy QueuePFN 0, QueueReady 0); its state is forgotten.</summary>
    internal void Disable()
    {
        Enabled = false;
        ForgetRunState();
    }

    // What a running queue accumulates (indices, notification and fault state): cleared whenever it starts or stops.
    private void ForgetRunState()
    {
        LastAvailIndex = UsedIndex = 0;
        _signalledValid = false;
        _previousValid = false;
        _frozenIndex = null;
    }

    /// <summary>One segment of a descriptor chain: a buffer the device reads or writes.</summary>
    internal readonly record struct Segment(ulong Address, uint Length, bool Writable);

    /// <summary>A descriptor chain taken off the available ring.</summary>
    internal sealed class Chain
    {
        public ushort Head;
        public readonly List<Segment> Segments = new();
        public ulong ReadableBytes, WritableBytes;

        public void Clear(ushort head) { Head = head; Segments.Clear(); ReadableBytes = WritableBytes = 0; }
    }

    internal enum PopResult { Empty, Chain, Fault }

    /// <summary>
    /// Takes the next available chain (2.7.13, 2.7.5): head and next indexes below the table size,
    /// no more descriptors than the queue size (so no loops), INDIRECT only when negotiated, never
    /// with NEXT and never nested (2.7.5.3.1), device-writable descriptors after readable ones (2.7.4.2).
    /// </summary>
    internal PopResult Pop(Chain chain, out string? error)
    {
        error = null;
        // 2.7.10: avail_event (written by the previous pop) is visible before idx is read again,
        // so a driver that skipped its notification cannot leave a buffer unseen.
        Interlocked.MemoryBarrier();
        if (!ReadU16(DriverArea + AvailIdx, out ushort availIdx)) { error = Where("avail idx"); return PopResult.Fault; }
        ushort pending = (ushort)(availIdx - LastAvailIndex);
        if (pending == 0) return PopResult.Empty;
        if (pending > Size) { error = Where($"avail idx moved from {LastAvailIndex} to {availIdx}, more than the queue size"); return PopResult.Fault; }
        Interlocked.MemoryBarrier(); // read the ring entry only after idx (2.7.13.3)

        uint slot = (uint)(LastAvailIndex & (Size - 1));
        if (!ReadU16(DriverArea + AvailRing + AvailEntrySize * (ulong)slot, out ushort head)) { error = Where("avail ring"); return PopResult.Fault; }
        if (head >= Size) { error = Where($"head {head} >= queue size {Size}"); return PopResult.Fault; }

        chain.Clear(head);
        ulong table = DescriptorArea;
        uint tableEntries = Size;
        bool inIndirect = false, sawWritable = false;
        uint i = head;
        int budget = Size; // 2.7.5.3.1: no chain longer than the queue size
        Span<byte> d = stackalloc byte[DescriptorSize];
        while (true)
        {
            ulong at = table + DescriptorSize * (ulong)i;
            if (!_device.Transport.DmaRead(at, d)) { error = Where($"descriptor {i} at 0x{at:X}"); return PopResult.Fault; }
            ulong addr = BinaryPrimitives.ReadUInt64LittleEndian(d[DescAddr..]);
            uint len = BinaryPrimitives.ReadUInt32LittleEndian(d[DescLen..]);
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(d[DescFlags..]);
            ushort next = BinaryPrimitives.ReadUInt16LittleEndian(d[DescNext..]);
            if ((flags & DESC_F_INDIRECT) != 0)
            {
                if (!_device.Negotiated(VirtioFeatureBits.INDIRECT_DESC)) { error = Where("INDIRECT without INDIRECT_DESC"); return PopResult.Fault; }
                if (inIndirect) { error = Where("INDIRECT inside an indirect table"); return PopResult.Fault; }
                if ((flags & DESC_F_NEXT) != 0) { error = Where("INDIRECT together with NEXT"); return PopResult.Fault; }
                if (len == 0 || len % DescriptorSize != 0) { error = Where($"indirect table length {len} is not a non-zero multiple of {DescriptorSize}"); return PopResult.Fault; }
                // 2.7.5.3.2: the WRITE flag of the descriptor naming the table is ignored.
                table = addr;
                tableEntries = len / DescriptorSize;
                inIndirect = true;
                i = 0;
                continue;
            }
            if (budget-- == 0) { error = Where($"chain from head {head} longer than the queue size (a loop?)"); return PopResult.Fault; }
            bool writable = (flags & DESC_F_WRITE) != 0;
            if (!writable && sawWritable) { error = Where("device-readable descriptor after a device-writable one"); return PopResult.Fault; }
            sawWritable |= writable;
            if (len != 0)
            {
                chain.Segments.Add(new Segment(addr, len, writable));
                if (writable) chain.WritableBytes += len; else chain.ReadableBytes += len;
            }
            if ((flags & DESC_F_NEXT) == 0) break;
            if (next >= tableEntries) { error = Where($"next {next} >= table size {tableEntries}"); return PopResult.Fault; }
            i = next;
        }
        if (chain.ReadableBytes + chain.WritableBytes > uint.MaxValue) { error = Where("chain longer than 4 GiB"); return PopResult.Fault; }

        LastAvailIndex++;
        // 2.7.10: with EVENT_IDX, ask for a notification as soon as the driver passes what we consumed.
        if (EventIdx && !WriteU16(DeviceArea + AvailEventOffset(Size), LastAvailIndex)) { error = Where("avail_event"); return PopResult.Fault; }
        return PopResult.Chain;
    }

    /// <summary>Buffers the driver has made available and the device not yet taken (0 when disabled or the ring is out of reach).</summary>
    internal int AvailableCount()
    {
        if (!Enabled || !ReadU16(DriverArea + AvailIdx, out ushort availIdx)) return 0;
        return (ushort)(availIdx - LastAvailIndex);
    }

    /// <summary>Gives the last chain taken back to the available ring (it will be taken again).</summary>
    internal void Unpop() => LastAvailIndex--;

    /// <summary>Copies the device-readable bytes of <paramref name="chain"/> from <paramref name="skip"/> into <paramref name="destination"/>.</summary>
    internal bool ReadChain(Chain chain, ulong skip, Span<byte> destination)
    {
        foreach (var s in chain.Segments)
        {
            if (s.Writable || destination.IsEmpty) break;
            if (skip >= s.Length) { skip -= s.Length; continue; }
            int n = (int)Math.Min((ulong)destination.Length, s.Length - skip);
            if (!_device.Transport.DmaRead(s.Address + skip, destination[..n])) return false;
            destination = destination[n..];
            skip = 0;
        }
        return true;
    }

    /// <summary>Copies <paramref name="source"/> into the device-writable part of <paramref name="chain"/>.</summary>
    internal bool WriteChain(Chain chain, ReadOnlySpan<byte> source)
    {
        foreach (var s in chain.Segments)
        {
            if (!s.Writable) continue;
            if (source.IsEmpty) break;
            int n = (int)Math.Min((ulong)source.Length, s.Length);
            if (!_device.Transport.DmaWrite(s.Address, source[..n])) return false;
            source = source[n..];
        }
        return source.IsEmpty;
    }

    /// <summary>
    /// Returns a chain on the used ring (2.7.8, 2.7.14): the element, then idx. An armed used-ring
    /// fault (<see cref="VirtioFaultInjector"/>) bends the element or the index here.
    /// </summary>
    internal bool Push(Chain chain, uint written, out string? error, bool publish = true)
    {
        error = null;
        var faults = _device.Faults;
        uint id = chain.Head, len = written;
        if (faults.Strikes(VirtioFault.UsedIdOutOfRange, Index)) id = (uint)Size + 7;
        if (faults.Strikes(VirtioFault.UsedLengthTooLong, Index)) len = (uint)chain.WritableBytes + 1;
        if (!WriteElement(id, len)) { error = Where("used ring"); return false; }
        if (faults.Strikes(VirtioFault.UsedIdDuplicate, Index))
        {
            // The previous buffer again (this one on the first push): by now the driver may have
            // posted that id anew, so only a driver that checks more than the id notices.
            if (!WriteElement(_previousValid ? _previousId : id, _previousValid ? _previousLength : len)) { error = Where("used ring"); return false; }
        }
        _previousId = chain.Head;
        _previousLength = written;
        _previousValid = true;
        if (faults.Strikes(VirtioFault.UsedIndexBackwards, Index)) _frozenIndex = (ushort)(UsedIndex - 1 - Size);
        if (faults.Strikes(VirtioFault.UsedIndexJump, Index)) _frozenIndex = (ushort)(UsedIndex + Size + 1);
        return !publish || PublishUsed(out error);
    }

    /// <summary>
    /// Publishes the used idx (2.7.14): every element pushed so far becomes visible at once, as the
    /// buffers of one merged receive packet must (5.1.6.4.1).
    /// </summary>
    internal bool PublishUsed(out string? error)
    {
        error = null;
        if (!WriteU16(DeviceArea + UsedIdx, _frozenIndex ?? UsedIndex)) { error = Where("used idx"); return false; }
        return true;
    }

    // One element at the next used slot; UsedIndex counts it (the idx itself is published by Push).
    private bool WriteElement(uint id, uint len)
    {
        uint slot = (uint)(UsedIndex & (Size - 1));
        Span<byte> elem = stackalloc byte[UsedElemSize];
        BinaryPrimitives.WriteUInt32LittleEndian(elem[UsedElemId..], id);
        BinaryPrimitives.WriteUInt32LittleEndian(elem[UsedElemLen..], len);
        if (!_device.Transport.DmaWrite(DeviceArea + UsedRing + UsedElemSize * (ulong)slot, elem))
            return false;
        Interlocked.MemoryBarrier(); // the element before idx (2.7.14)
        UsedIndex++;
        return true;
    }

    /// <summary>
    /// Whether the used buffers published since the last decision need a used-buffer
    /// notification (2.7.7.2, 2.7.10): avail flags NO_INTERRUPT without EVENT_IDX, used_event
    /// with it (vring_need_event over the used idx range since the previous decision).
    /// </summary>
    internal bool ShouldNotify(out string? error)
    {
        error = null;
        Interlocked.MemoryBarrier(); // used idx is visible before suppression is read (2.7.7.2)
        if (EventIdx)
        {
            bool valid = _signalledValid;
            ushort old = _signalledUsed;
            _signalledValid = true;
            _signalledUsed = UsedIndex;
            if (!ReadU16(DriverArea + UsedEventOffset(Size), out ushort usedEvent)) { error = Where("used_event"); return false; }
            bool notify = !valid || (ushort)(UsedIndex - usedEvent - 1) < (ushort)(UsedIndex - old);
            if (notify) Interrupts++;
            return notify;
        }
        if (!ReadU16(DriverArea + AvailFlags, out ushort flags)) { error = Where("avail flags"); return false; }
        bool yes = (flags & AVAIL_F_NO_INTERRUPT) == 0;
        if (yes) Interrupts++;
        return yes;
    }

    private string Where(string what) => $"queue {Index}: {what}";

    private bool ReadU16(ulong address, out ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        bool ok = _device.Transport.DmaRead(address, b);
        value = ok ? BinaryPrimitives.ReadUInt16LittleEndian(b) : (ushort)0;
        return ok;
    }

    private bool WriteU16(ulong address, ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        return _device.Transport.DmaWrite(address, b);
    }
}
