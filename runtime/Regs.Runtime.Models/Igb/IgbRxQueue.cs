using System;
using System.Buffers.Binary;

namespace Regs.Runtime.Models.Igb;

/// <summary>What the MAC learned about a received frame, reported in the EOP write-back (7.1.5.2).</summary>
internal readonly struct IgbRxMetadata
{
    public IgbRxMetadata(ushort packetType, ushort ipId, uint status, ushort vlan)
    { PacketType = packetType; IpId = ipId; Status = status; Vlan = vlan; }
    public ushort PacketType { get; }
    public ushort IpId { get; }
    public uint Status { get; }
    public ushort Vlan { get; }
}

/// <summary>
/// One receive queue (datasheet 7.1.3, registers 8.10): the descriptor ring the driver hands over
/// through RDBAL/RDBAH/RDLEN/RDH/RDT, and the placement of frames into it with advanced one-buffer
/// descriptors (7.1.5). Every descriptor and buffer access is a bounds-checked DMA; a refused one
/// halts the queue (like a PCIe master abort) until it is re-enabled or the device reset.
/// </summary>
internal sealed class IgbRxQueue
{
    public const uint DescriptorBytes = 16;
    public const uint StatusDD = 1u << 0, StatusEOP = 1u << 1;

    private readonly IgbModel _model;

    public IgbRxQueue(IgbModel model, int index)
    {
        _model = model;
        Index = index;
        Reset();
    }

    public int Index { get; }
    public uint BaseLow { get; set; }
    public uint BaseHigh { get; set; }
    public uint Length { get; set; }
    public uint SplitControl { get; set; }
    public uint Head { get; set; }
    public uint Tail { get; set; }
    public uint Control { get; set; }
    public uint Dca { get; set; }
    /// <summary>Set when a DMA was refused; the queue takes no frames until re-enabled or reset.</summary>
    public bool Halted { get; set; }

    public ulong Base => (ulong)BaseHigh << 32 | BaseLow;
    public uint Count => Length / DescriptorBytes;
    public bool Enabled => (Control & IgbRegisters.XDCTL_ENABLE) != 0;
    public uint DescriptorType => (SplitControl >> IgbRegisters.SRRCTL_DESCTYPE_SHIFT) & 7;

    /// <summary>Descriptors owned by the device; an out-of-range head or tail owns none (the ring is never indexed outside RDLEN).</summary>
    public uint Free
    {
        get
        {
            uint count = Count;
            if (count == 0 || Head >= count || Tail >= count) return 0;
            return Head <= Tail ? Tail - Head : count + Tail - Head;
        }
    }

    /// <summary>RDMTS: the free-descriptor count that raises RXDMT0, in units of 16 (an SRRCTL field, 8.10.2).</summary>
    public uint MinimumThreshold => ((SplitControl >> IgbRegisters.SRRCTL_RDMTS_SHIFT) & 0x1F) * 16;

    public void Reset()
    {
        BaseLow = BaseHigh = Length = Head = Tail = Dca = 0;
        // SRRCTL resets to 0 as in QEMU: RCTL.BSIZE decides and DESCTYPE is legacy, which the
        // model refuses, so a driver must select advanced one-buffer descriptors itself.
        SplitControl = 0;
        // WTHRESH 1 everywhere; queue 0 comes up enabled (QEMU igb_mac_reg_init).
        Control = 1u << 16 | (Index == 0 ? IgbRegisters.XDCTL_ENABLE : 0);
        Halted = false;
    }

    /// <summary>Receive buffer size: SRRCTL.BSIZEPACKET in KiB, or RCTL.BSIZE/BSEX when it is 0.</summary>
    public int BufferSize(uint rctl)
    {
        uint kib = SplitControl & IgbRegisters.SRRCTL_BSIZEPACKET_MASK;
        if (kib != 0) return (int)kib * 1024;
        uint code = (rctl >> IgbRegisters.RCTL_BSIZE_SHIFT) & 3;
        if ((rctl & IgbRegisters.RCTL_BSEX) != 0 && code != 0) return 32768 >> (int)code; // 16K, 8K, 4K
        return 2048 >> (int)code;
    }

    /// <summary>
    /// Writes <paramref name="frame"/> then <paramref name="crc"/> into as many descriptors as needed
    /// (the caller checked there are enough). False when a DMA was refused: the queue is then halted.
    /// </summary>
    public bool Place(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> crc, int bufferSize, in IgbRxMetadata metadata)
    {
        int total = frame.Length + crc.Length;
        int offset = 0;
        Span<byte> descriptor = stackalloc byte[(int)DescriptorBytes];
        byte[] chunk = new byte[Math.Min(bufferSize, total)];
        while (offset < total)
        {
            ulong at = Base + Head * DescriptorBytes;
            if (!_model.DeviceRead(at, descriptor)) return Halt();
            ulong buffer = BinaryPrimitives.ReadUInt64LittleEndian(descriptor);
            int size = Math.Min(bufferSize, total - offset);
            for (int i = 0; i < size; i++)
            {
                int k = offset + i;
                chunk[i] = k < frame.Length ? frame[k] : crc[k - frame.Length];
            }
            // A null buffer address skips the buffer but still consumes the descriptor (QEMU, e1000 family).
            int written = 0;
            if (buffer != 0)
            {
                if (!_model.DeviceWrite(buffer, chunk.AsSpan(0, size))) return Halt();
                written = size;
            }
            offset += size;
            bool last = offset >= total;
            bool endless = last && _model.Trigger(IgbFault.RxChainWithoutEnd);
            int reported = endless ? bufferSize : last && _model.Trigger(IgbFault.RxLengthBeyondBuffer) ? bufferSize + 1024 : written;
            if (!WriteBack(at, descriptor, reported, last && !endless, metadata)) return Halt();
            Head = Head + 1 >= Count ? 0 : Head + 1;
            // RxChainWithoutEnd: every descriptor the device still owns, full and without EOP.
            while (endless && Head != Tail && Head < Count)
            {
                if (!WriteBack(Base + Head * DescriptorBytes, descriptor, bufferSize, false, metadata)) return Halt();
                Head = Head + 1 >= Count ? 0 : Head + 1;
            }
        }
        return true;
    }

    // Advanced receive write-back (7.1.5.2): low dword RSS type and packet type, high dword IP id
    // (RSS is never enabled here, so no hash), status/error, length, VLAN. Status goes last so a
    // driver polling DD never sees a half-written descriptor.
    private bool WriteBack(ulong at, Span<byte> d, int written, bool last, in IgbRxMetadata metadata)
    {
        uint low = last ? (uint)metadata.PacketType << 4 : 0;
        uint high = last ? metadata.IpId : 0u;
        uint status = (_model.Trigger(IgbFault.RxNoDescriptorDone) ? 0 : StatusDD) | (last ? StatusEOP | metadata.Status : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(d, low);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], high);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(d[12..], (ushort)written);
        BinaryPrimitives.WriteUInt16LittleEndian(d[14..], last ? metadata.Vlan : (ushort)0);
        if (!_model.DeviceWrite(at, d[..8]) || !_model.DeviceWrite(at + 12, d[12..16])) return false;
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], status);
        return _model.DeviceWrite(at + 8, d[8..12]);
    }

    private bool Halt()
    {
        Halted = true;
        return false;
    }
}
