using System;
using System.Buffers.Binary;

namespace Regs.Runtime.Models.Igb;

/// <summary>
/// An advanced transmit context descriptor as stored by the queue (datasheet 7.2.2.x, the context
/// descriptor layout): header lengths and VLAN tag, the TUCMD bits (IPv4, L4 type) and the
/// segmentation parameters (MSS, L4LEN).
/// </summary>
internal readonly struct IgbTxContext
{
    public IgbTxContext(uint vlanMacIpLens, uint typeTucmd, uint mssL4LenIdx)
    { VlanMacIpLens = vlanMacIpLens; TypeTucmd = typeTucmd; MssL4LenIdx = mssL4LenIdx; }
    public uint VlanMacIpLens { get; }
    public uint TypeTucmd { get; }
    public uint MssL4LenIdx { get; }
    public int IpLength => (int)(VlanMacIpLens & 0x1FF);
    public int MacLength => (int)(VlanMacIpLens >> 9 & 0x7F);
    public ushort Vlan => (ushort)(VlanMacIpLens >> 16);
    public bool IPv4 => (TypeTucmd & 1u << 10) != 0;
    /// <summary>TUCMD.L4T: 0 UDP, 1 TCP, 2 SCTP.</summary>
    public uint L4Type => TypeTucmd >> 11 & 3;
    public int L4Length => (int)(MssL4LenIdx >> 8 & 0xFF);
    public int Mss => (int)(MssL4LenIdx >> 16);
}

/// <summary>
/// One transmit queue (datasheet 7.2, registers 8.12): fetches descriptors from TDH up to TDT,
/// keeps advanced context descriptors (7.2.2.4), gathers advanced data descriptors (7.2.2.3) until
/// EOP and hands the frame to the model, writing DD back into descriptors that asked with RS.
/// A refused DMA halts the queue at the faulting descriptor.
/// </summary>
internal sealed class IgbTxQueue
{
    public const uint DescriptorBytes = 16;
    /// <summary>Largest frame gathered: a TCP segmentation train's headers and its PAYLEN (18 bits, 256 KiB); larger ones are dropped.</summary>
    public const int MaxFrame = 256 * 1024 + 256;

    public const uint CmdEop = 1u << 24, CmdRs = 1u << 27, CmdDext = 1u << 29, CmdVle = 1u << 30, CmdTse = 1u << 31;
    public const uint TypeContext = 2, TypeData = 3;
    public const uint StatusDD = 1u << 0;

    private readonly IgbModel _model;
    private readonly byte[] _frame = new byte[MaxFrame];
    private readonly IgbTxContext[] _contexts = new IgbTxContext[2];
    private int _length;
    private bool _first = true, _oversized;
    private uint _firstCommand, _firstOptions;

    public IgbTxQueue(IgbModel model, int index)
    {
        _model = model;
        Index = index;
        Reset();
    }

    public int Index { get; }
    public uint BaseLow { get; set; }
    public uint BaseHigh { get; set; }
    public uint Length { get; set; }
    public uint Head { get; set; }
    public uint Tail { get; set; }
    public uint Control { get; set; }
    public uint Dca { get; set; }
    public uint WriteBackLow { get; set; }
    public uint WriteBackHigh { get; set; }
    /// <summary>Set when a DMA was refused; nothing more is fetched until re-enabled or reset.</summary>
    public bool Halted { get; set; }

    public ulong Base => (ulong)BaseHigh << 32 | BaseLow;
    public uint Count => Length / DescriptorBytes;
    public bool Enabled => (Control & IgbRegisters.XDCTL_ENABLE) != 0;

    public void Reset()
    {
        BaseLow = BaseHigh = Length = Head = Tail = Dca = WriteBackLow = WriteBackHigh = 0;
        Control = Index == 0 ? IgbRegisters.XDCTL_ENABLE : 0; // queue 0 comes up enabled (QEMU)
        Halted = false;
        Array.Clear(_contexts);
        DropPartialFrame();
    }

    /// <summary>A frame half gathered when the queue stops is lost, as when hardware resets the queue.</summary>
    public void DropPartialFrame()
    {
        _length = 0;
        _first = true;
        _oversized = false;
    }

    /// <summary>Processes descriptors from TDH to TDT; true when any descriptor was written back.</summary>
    public bool Run()
    {
        bool wroteBack = false;
        Span<byte> d = stackalloc byte[(int)DescriptorBytes];
        Span<byte> s = stackalloc byte[4];
        while (!Halted)
        {
            // An empty ring, or TDH/TDT beyond TDLEN: nothing to fetch (QEMU treats TDT >= count
            // as empty; a head out of range is refused the same way, never followed).
            uint count = Count;
            if (count == 0 || Head >= count || Tail >= count || Head == Tail) break;
            ulong at = Base + Head * DescriptorBytes;
            if (!_model.DeviceRead(at, d)) { Halt(); break; }
            if (!Consume(d)) { Halt(); break; }
            Head = Head + 1 >= count ? 0 : Head + 1;
            uint command = BinaryPrimitives.ReadUInt32LittleEndian(d[8..]);
            if ((command & CmdRs) != 0 && !_model.Trigger(IgbFault.TxNoWriteBack))
            {
                // Advanced write-back (7.2.3.5.2): DD in the status dword, the rest as fetched.
                uint status = BinaryPrimitives.ReadUInt32LittleEndian(d[12..]) | StatusDD;
                BinaryPrimitives.WriteUInt32LittleEndian(s, status);
                if (!_model.DeviceWrite(at + 12, s)) { Halt(); break; }
                wroteBack = true;
            }
        }
        return wroteBack;
    }

    // One descriptor; false when its buffer could not be fetched.
    private bool Consume(ReadOnlySpan<byte> d)
    {
        ulong buffer = BinaryPrimitives.ReadUInt64LittleEndian(d);
        uint command = BinaryPrimitives.ReadUInt32LittleEndian(d[8..]);
        uint options = BinaryPrimitives.ReadUInt32LittleEndian(d[12..]);
        if ((command & CmdDext) == 0)
        {
            // Legacy descriptors (7.2.2.1) are not implemented by QEMU's igb: consumed, counted, not sent.
            _model.CountLegacyTxDescriptor();
            return true;
        }
        uint type = (command >> 20) & 0xF;
        if (type == TypeContext)
        {
            // IDX is bit 4 of MSS_L4LEN_IDX; the 82576 keeps two contexts per queue.
            int slot = (int)(options >> 4) & 1;
            _contexts[slot] = new IgbTxContext(BinaryPrimitives.ReadUInt32LittleEndian(d), command, options);
            return true;
        }
        if (type != TypeData) return true; // unknown type: skipped, as QEMU

        if (_first)
        {
            _firstCommand = command;
            _firstOptions = options;
            _first = false;
        }
        int length = (int)(command & 0xFFFF);
        if (!_oversized)
        {
            if (_length + length > MaxFrame) _oversized = true;
            else if (length > 0)
            {
                if (!_model.DeviceRead(buffer, _frame.AsSpan(_length, length))) return false;
                _length += length;
            }
        }
        if ((command & CmdEop) != 0)
        {
            if (_oversized) _model.CountOversizedTxFrame();
            else
            {
                if ((_firstCommand & CmdTse) == 0 && _firstOptions >> 14 != (uint)_length) _model.CountTxPaylenMismatch();
                int slot = (int)(_firstOptions >> 4) & 1;
                _model.SendFrame(_frame.AsSpan(0, _length), _firstCommand, _firstOptions, _contexts[slot]);
            }
            DropPartialFrame();
        }
        return true;
    }

    private void Halt()
    {
        Halted = true;
        DropPartialFrame();
    }
}
