using System.Runtime.CompilerServices;
using Regs.Nic;
using Regs.Runtime;
using Regs.Virtio;

namespace Regs.Drivers.Virtio;

// Transmit (5.1.6.2): a frame is copied into as many 2 KiB transmit slots as it needs and sent as
// one chain: the header segment, then one data segment per slot, through an indirect table of its
// own (RING_INDIRECT_DESC) or chained through the slots' data descriptors. Offload metadata
// (checksum, segmentation) goes into the header only when negotiated; a frame asking for more is
// rejected and counted, never sent with a header the device would misread.
public unsafe partial struct VirtioNet<TAccess, TTransport, THost>
{
    // Transmit slots of one frame are linked in private memory; this ends a frame.
    private const ushort NoSlot = ushort.MaxValue;
    // The most slots one frame can span: a 64 KiB segmentation train with its Ethernet header.
    private const uint MaxSlotsPerFrame = (FrameBatch.MaxLength + FrameBatch.SlotSize - 1) / FrameBatch.SlotSize;
    // One indirect table per transmit slot: the header descriptor and a data descriptor per slot.
    private const uint TxTableStride = (1 + MaxSlotsPerFrame) * 16;

    // Not inlined into the caller: as its own root the JIT inlines the ring helpers into it
    // (inlined into a large caller loop, the inline budget runs out and they become calls).
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public int Send(in FrameBatch batch)
    {
        VirtioNetState* s = _s;
        if (s == null) return 0;
        if (!s->Started && !RetryRecovery()) return 0;
        if (!ReclaimTransmitted()) return 0;
        int consumed = 0, sent = 0;
        for (; consumed < batch.Count; consumed++)
        {
            int i = consumed, length = batch.Length(i);
            ref FrameOffload offload = ref batch.Offload(i);
            if (!Transmittable(s, length, ref offload))
            {
                s->Stats.TxRejected++;
                continue;
            }
            uint slots = length <= FrameBatch.SlotSize ? 1u : ((uint)length + FrameBatch.SlotSize - 1) / FrameBatch.SlotSize;
            if (s->TxFreeCount < slots) break;
            uint first = s->TxFree[--s->TxFreeCount];
            WriteTxHeader(s->TxSlots.Cpu + first * TxSlotStride + HeaderAt, ref offload);
            if (slots == 1)
            {
                batch.Frame(i).CopyTo(new System.Span<byte>(s->TxSlots.Cpu + first * TxSlotStride + DataAt, FrameBatch.SlotSize));
                s->TxNext[first] = NoSlot;
                WriteTxChain1(s, first, (uint)length);
            }
            else
            {
                fixed (byte* frame = batch.Frame(i)) WriteTxChain(s, first, frame, (uint)length, slots);
            }
            s->TxLength[first] = (uint)length;
            if (!s->Tx->Post(Head(s, first), 0))
            {
                // A free slot whose chain the ring still holds: the driver's books disagree
                // with the ring. Keep the slots, stop, and start over from a reset.
                FreeTxChain(s, first);
                ProtocolError();
                return consumed;
            }
            sent++;
        }
        if (sent != 0 && s->Tx->Publish()) _transport.Notify(TransmitQueue, s->TxNotify);
        if (sent == 0 && consumed < batch.Count) CheckHealth();   // full and nothing came back: the stuck path
        return consumed;
    }

    // Whether a frame may go to the device as it asks (5.1.4.2, 5.1.6.2, 5.1.6.2.1): not empty; a
    // plain frame at most MTU + 18 bytes; NEEDS_CSUM only with CSUM and a checksum field inside the
    // frame; a segmentation train only of a negotiated kind, with NEEDS_CSUM, an MSS and headers
    // inside the frame, at most what a transmit chain holds.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Transmittable(VirtioNetState* s, int length, ref FrameOffload offload)
    {
        if ((uint)(length - 1) >= (uint)FrameBatch.MaxLength) return false;
        byte flags = offload.Flags, gso = offload.GsoType;
        if ((flags | gso) == 0) return length <= s->MaxFrame;
        return OffloadTransmittable(s, length, ref offload);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool OffloadTransmittable(VirtioNetState* s, int length, ref FrameOffload offload)
    {
        byte flags = offload.Flags, gso = offload.GsoType;
        if ((flags & ~FrameOffload.NeedsChecksum) != 0) return false;           // DATA_VALID is receive-only (5.1.6.2.1)
        if ((flags & FrameOffload.NeedsChecksum) != 0)
        {
            if ((s->Offloads & NicOffloads.TxChecksum) == 0) return false;
            if ((int)offload.ChecksumStart + offload.ChecksumOffset + 2 > length) return false;
        }
        if (gso == FrameOffload.GsoNone) return length <= s->MaxFrame;
        // 5.1.6.2.1: a segmentation train also asks for its checksum and names its MSS.
        if ((flags & FrameOffload.NeedsChecksum) == 0 || offload.SegmentSize == 0 || offload.HeaderLength > length) return false;
        byte kind = (byte)(gso & ~FrameOffload.GsoEcn);
        NicOffloads needed = kind == FrameOffload.GsoTcpV4 ? NicOffloads.TxTcpSegmentationV4
                           : kind == FrameOffload.GsoTcpV6 ? NicOffloads.TxTcpSegmentationV6 : 0;
        if (needed == 0 || (s->Offloads & needed) == 0) return false;
        if ((gso & FrameOffload.GsoEcn) != 0 && (s->Offloads & NicOffloads.TxTcpEcn) == 0) return false;
        return length <= s->TxCapacity;
    }

    // 5.1.6.2: the header's fields from the frame's offload metadata (all zero for a plain frame).
    // 10 or 12 bytes in a 16-byte field; num_buffers is 0 on transmit.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteTxHeader(byte* at, ref FrameOffload offload)
    {
        *(ulong*)at = 0;
        *(uint*)(at + 8) = 0;
        if ((offload.Flags | offload.GsoType) == 0) return;
        var h = (VirtioNetHdr*)at;
        h->flags = (VirtioNetHdrFlags)offload.Flags;
        h->gso_type = new VirtioNetHdr.gso_typeValue(offload.GsoType);
        h->hdr_len = offload.HeaderLength;
        h->gso_size = offload.SegmentSize;
        h->csum_start = offload.ChecksumStart;
        h->csum_offset = offload.ChecksumOffset;
    }

    // A frame in one slot: header then data, as an indirect table of two or the slot's own pair.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteTxChain1(VirtioNetState* s, uint slot, uint length)
    {
        ulong header = s->TxSlots.Device + slot * TxSlotStride + HeaderAt;
        ulong data = s->TxSlots.Device + slot * TxSlotStride + DataAt;
        if (s->Indirect)
        {
            var table = (VirtqDesc*)(s->TxTables.Cpu + slot * TxTableStride);
            Set(ref table[0], header, s->HeaderLength, VirtqDescFlags.NEXT, 1);
            Set(ref table[1], data, length, 0, 0);
            Set(ref s->Tx->Descriptor(slot), s->TxTables.Device + slot * TxTableStride, 2 * (uint)sizeof(VirtqDesc), VirtqDescFlags.INDIRECT, 0);
        }
        else
        {
            uint head = DescriptorsPerBuffer * slot;
            Set(ref s->Tx->Descriptor(head), header, s->HeaderLength, VirtqDescFlags.NEXT, (ushort)(head + 1));
            Set(ref s->Tx->Descriptor(head + 1), data, length, 0, 0);
        }
    }

    // A frame over several slots (the caller checked enough are free): each slot takes the next
    // 2 KiB; the chain is the first slot's header then every slot's data, linked in TxNext.
    private static void WriteTxChain(VirtioNetState* s, uint first, byte* frame, uint length, uint slots)
    {
        VirtqDesc* table = (VirtqDesc*)(s->TxTables.Cpu + first * TxTableStride);
        ulong header = s->TxSlots.Device + first * TxSlotStride + HeaderAt;
        if (s->Indirect) Set(ref table[0], header, s->HeaderLength, VirtqDescFlags.NEXT, 1);
        else Set(ref s->Tx->Descriptor(DescriptorsPerBuffer * first), header, s->HeaderLength, VirtqDescFlags.NEXT, (ushort)(DescriptorsPerBuffer * first + 1));
        uint slot = first, offset = 0;
        for (uint k = 0; k < slots; k++)
        {
            uint chunk = length - offset < FrameBatch.SlotSize ? length - offset : FrameBatch.SlotSize;
            new System.ReadOnlySpan<byte>(frame + offset, (int)chunk).CopyTo(new System.Span<byte>(s->TxSlots.Cpu + slot * TxSlotStride + DataAt, FrameBatch.SlotSize));
            offset += chunk;
            bool last = k + 1 == slots;
            uint next = last ? NoSlot : s->TxFree[--s->TxFreeCount];
            s->TxNext[slot] = (ushort)next;
            ulong data = s->TxSlots.Device + slot * TxSlotStride + DataAt;
            if (s->Indirect)
                Set(ref table[k + 1], data, chunk, last ? 0 : VirtqDescFlags.NEXT, (ushort)(last ? 0 : k + 2));
            else
                Set(ref s->Tx->Descriptor(DescriptorsPerBuffer * slot + 1), data, chunk, last ? 0 : VirtqDescFlags.NEXT, (ushort)(last ? 0 : DescriptorsPerBuffer * next + 1));
            slot = next;
        }
        if (s->Indirect)
            Set(ref s->Tx->Descriptor(first), s->TxTables.Device + first * TxTableStride, (slots + 1) * (uint)sizeof(VirtqDesc), VirtqDescFlags.INDIRECT, 0);
    }

    // Gives every slot of the frame starting at first back to the free stack (at most SlotCount:
    // TxNext is private memory the device never writes).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FreeTxChain(VirtioNetState* s, uint first)
    {
        uint slot = first;
        for (uint n = 0; n < s->SlotCount && slot != NoSlot; n++)
        {
            s->TxFree[s->TxFreeCount++] = (ushort)slot;
            slot = s->TxNext[slot];
        }
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
            FreeTxChain(s, slot);
            s->Stats.TxFrames++;
            s->Stats.TxBytes += s->TxLength[slot];
        }
    }

    // The most bytes one transmit chain can carry: as many slots as a frame may take, within the
    // queue (2.7.5.3.1: no chain, indirect or not, longer than the queue size).
    private static int TransmitCapacity(VirtioNetState* s)
    {
        uint slots = s->SlotCount;
        if (slots > MaxSlotsPerFrame) slots = MaxSlotsPerFrame;
        if (slots + 1 > s->QueueSize) slots = s->QueueSize - 1;
        uint bytes = slots * FrameBatch.SlotSize;
        return bytes < FrameBatch.MaxLength ? (int)bytes : FrameBatch.MaxLength;
    }
}
