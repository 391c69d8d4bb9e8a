using System.Runtime.CompilerServices;
using Regs.Nic;
using Regs.Virtio;

namespace Regs.Drivers.Virtio;

// Receive (5.1.6.3, 5.1.6.4): every receive buffer is a header segment and a data segment of
// RxDataBytes. Without MRG_RXBUF a frame fills one buffer (big buffers when the MTU needs them);
// with it a frame spreads over num_buffers buffers, the first starting with the header, the rest
// with frame data from their first byte (so through the header field, then the data field). A
// frame is read whole from the used ring before any of its buffers is taken, gathered into one
// contiguous FrameBatch frame, and its buffers posted again.
public unsafe partial struct VirtioNet<TAccess, TTransport, THost>
{
    // Not inlined into the caller: as its own root the JIT inlines the ring helpers into it
    // (inlined into a large caller loop, the inline budget runs out and they become calls).
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public int Receive(ref FrameBatch batch)
    {
        VirtioNetState* s = _s;
        batch.Clear();
        if (s == null) return 0;
        if (!s->Started && !RetryRecovery()) return 0;
        uint h = s->HeaderLength;
        while (!batch.IsFull)
        {
            UsedResult result = s->Rx->PeekUsed(0, out uint head, out uint length);
            if (result == UsedResult.Empty) break;
            if (result == UsedResult.ProtocolError || length < h)
            {
                ProtocolError();
                return batch.Count;
            }
            byte* first = s->RxSlots.Cpu + SlotOf(s, head) * s->RxStride;
            if (first[HeaderAt] == RxUnwritten)
            {
                ProtocolError();                           // returned without being filled: never deliver it
                return batch.Count;
            }
            uint frameLength = length - h;                 // <= RxDataBytes: bounded by what was posted
            uint buffers = 1;
            if (s->Mergeable)
            {
                // 5.1.6.4: num_buffers, read once. 0, more than the driver has out, or more than the
                // largest frame can take is a device fault; so is a frame whose buffers are not all
                // used yet (5.1.6.4.1: the device uses them together).
                buffers = ((VirtioNetHdr*)(first + HeaderAt))->num_buffers;
                if (buffers == 0 || buffers > s->Rx->InFlight || buffers > s->RxMaxBuffers)
                {
                    ProtocolError();
                    return batch.Count;
                }
                for (uint j = 1; j < buffers; j++)
                {
                    if (s->Rx->PeekUsed(j, out _, out uint more) != UsedResult.Taken)
                    {
                        ProtocolError();                   // ran out, or an element that cannot be true
                        return batch.Count;
                    }
                    frameLength += more;                   // each <= h + RxDataBytes: no overflow
                }
            }
            System.Span<byte> free = batch.Free();
            if (frameLength > (uint)free.Length)
            {
                // Left in the ring for the next call, unless even an empty batch cannot hold it.
                if (batch.Count != 0) break;
                if (!DropReceived(s, buffers)) return batch.Count;
                continue;
            }
            FrameOffload offload = default;
            bool keep = s->Offloads == 0 || ReceiveOffload(s, (VirtioNetHdr*)(first + HeaderAt), frameLength, ref offload);
            if (!Gather(s, buffers, free, frameLength)) return batch.Count;
            if (!keep)
            {
                s->Stats.RxDropped++;                      // metadata that cannot be true: dropped, as Linux does
                continue;
            }
            int index = batch.Commit((int)frameLength);
            if (index >= 0 && s->Offloads != 0) batch.Offload(index) = offload;
            s->Stats.RxFrames++;
            s->Stats.RxBytes += frameLength;
        }
        if (s->Rx->Publish()) _transport.Notify(ReceiveQueue, s->RxNotify);
        return batch.Count;
    }

    // Takes a frame's buffers off the used ring in order, copying them into destination (which
    // holds frameLength bytes), and posts each again. The elements were looked at already; taking
    // checks them again (a duplicate id shows here), and the bytes copied never pass frameLength
    // even if the device rewrote a length since. False after a protocol error (the device is reset).
    private bool Gather(VirtioNetState* s, uint buffers, System.Span<byte> destination, uint frameLength)
    {
        uint h = s->HeaderLength, copied = 0;
        for (uint j = 0; j < buffers; j++)
        {
            if (s->Rx->TryTakeUsed(out uint head, out uint length) != UsedResult.Taken || (j == 0 && length < h))
            {
                ProtocolError();
                return false;
            }
            uint slot = SlotOf(s, head);
            byte* buffer = s->RxSlots.Cpu + slot * s->RxStride;
            // The first buffer's frame starts behind the header; a later one's at its first byte,
            // which is the header field's.
            uint inHeader = j == 0 ? 0 : (length < h ? length : h);
            uint inData = j == 0 ? length - h : length - inHeader;
            if (inHeader + inData > frameLength - copied)
            {
                ProtocolError();
                return false;
            }
            if (inHeader != 0)
                new System.ReadOnlySpan<byte>(buffer + HeaderAt, (int)inHeader).CopyTo(destination.Slice((int)copied));
            copied += inHeader;
            new System.ReadOnlySpan<byte>(buffer + DataAt, (int)inData).CopyTo(destination.Slice((int)copied));
            copied += inData;
            PostReceive(s, slot);
        }
        if (copied != frameLength)
        {
            ProtocolError();
            return false;
        }
        return true;
    }

    // A frame no batch can hold: its buffers taken and posted again, counted (never stalls the ring).
    private bool DropReceived(VirtioNetState* s, uint buffers)
    {
        for (uint j = 0; j < buffers; j++)
        {
            if (s->Rx->TryTakeUsed(out uint head, out _) != UsedResult.Taken)
            {
                ProtocolError();
                return false;
            }
            PostReceive(s, SlotOf(s, head));
        }
        s->Stats.RxDropped++;
        return true;
    }

    // The received header's offload fields (5.1.6.4.1): with GUEST_CSUM, DATA_VALID (the device
    // checked the checksum) or NEEDS_CSUM (a partial checksum from csum_start, stored at
    // csum_offset after it, which must lie inside the frame); with GUEST_TSO4/6 a coalesced frame's
    // gso_type, gso_size and hdr_len. False for metadata that cannot be true (a kind not
    // negotiated, a checksum field outside the frame): the frame is dropped.
    private static bool ReceiveOffload(VirtioNetState* s, VirtioNetHdr* header, uint frameLength, ref FrameOffload offload)
    {
        byte flags = (byte)header->flags;
        byte gso = header->gso_type.Bits;
        ushort start = header->csum_start, at = header->csum_offset;
        if ((flags & ~(FrameOffload.NeedsChecksum | FrameOffload.DataValid)) != 0) return false;
        if ((flags & FrameOffload.NeedsChecksum) != 0 && (uint)start + at + 2 > frameLength) return false;
        offload.Flags = flags;
        if ((flags & FrameOffload.DataValid) != 0) offload.Checks = FrameOffload.L4Checked;
        if ((flags & FrameOffload.NeedsChecksum) != 0)
        {
            offload.ChecksumStart = start;
            offload.ChecksumOffset = at;
        }
        if (gso == FrameOffload.GsoNone) return frameLength <= (uint)s->RxCapacity;
        byte kind = (byte)(gso & ~FrameOffload.GsoEcn);
        NicOffloads needed = kind == FrameOffload.GsoTcpV4 ? NicOffloads.RxTcpCoalescingV4
                           : kind == FrameOffload.GsoTcpV6 ? NicOffloads.RxTcpCoalescingV6 : 0;
        if (needed == 0 || (s->Offloads & needed) == 0) return false;
        if ((gso & FrameOffload.GsoEcn) != 0 && (s->Offloads & NicOffloads.RxTcpEcn) == 0) return false;
        offload.GsoType = gso;
        offload.SegmentSize = header->gso_size;
        offload.HeaderLength = header->hdr_len;
        return true;
    }

    // Marks receive slot k's header unwritten and gives the slot to the device.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PostReceive(VirtioNetState* s, uint slot)
    {
        s->RxSlots.Cpu[slot * s->RxStride + HeaderAt] = RxUnwritten;
        s->Rx->Post(Head(s, slot), s->HeaderLength + s->RxDataBytes);
    }
}
