using System;
using System.Collections.Generic;
using System.Threading;
using Regs.Runtime.Hosted;
using static Regs.Runtime.Models.Igb.IgbRegisters;

namespace Regs.Runtime.Models.Igb;

/// <summary>
/// An Intel 82576 (igb) physical function as drivers see it through BAR0, faithful to the datasheet
/// and to QEMU's igb model wherever the two matter to a driver: software reset, EEPROM reads
/// through EERD, the internal PHY through MDIC with autonegotiation, legacy (INTx) interrupts
/// through ICR/IMS, advanced receive and transmit descriptor rings, address filtering and the
/// statistics block. Every descriptor and buffer access is a bounds-checked DMA into the driver's
/// arena; a refused one halts that queue instead of touching anything else.
/// </summary>
/// <remarks>
/// Link: STATUS.LU needs the cable (<see cref="LinkUp"/>) and a completed autonegotiation, which
/// starts at power-on and after an MDIC write of BMCR with RESTART_AN (AN_ENABLE set) and completes
/// <see cref="AutonegotiationTime"/> later (QEMU: 500 ms); CTRL.SLU alone does not raise the link,
/// as in QEMU. After CTRL.RST the link stays down until the driver restarts autonegotiation.
/// </remarks>
public sealed partial class IgbModel : PciDeviceModel
{
    /// <summary>Intel's PCI vendor id.</summary>
    public const ushort VendorId = 0x8086;

    /// <summary>The 82576 copper device id (the one QEMU's igb uses).</summary>
    public const ushort DeviceId = 0x10C9;

    /// <summary>Size of the BAR0 register window.</summary>
    public const int RegisterBytes = RegionBytes;

    /// <summary>The informative BAR0 address written into configuration space.</summary>
    public const uint Bar0Address = 0xFEB80000;

    /// <summary>Frames held while the receive ring has no free descriptor (the packet buffer); more are missed.</summary>
    public const int ReceiveFifoFrames = 64;

    /// <summary>QEMU's autonegotiation time.</summary>
    public static readonly TimeSpan DefaultAutonegotiationTime = TimeSpan.FromMilliseconds(500);

    private readonly byte[] _mac;
    private readonly IgbEepromModel _eeprom;
    private readonly IgbPhyModel _phy = new();
    private readonly IgbStatistics _stats = new();
    private readonly IgbRxQueue[] _rx = new IgbRxQueue[QueueCount];
    private readonly IgbTxQueue[] _tx = new IgbTxQueue[QueueCount];
    private readonly uint[] _regs = new uint[RegionBytes / 4];
    private readonly Queue<byte[]> _fifo = new();
    private readonly Timer _autonegTimer;
    private bool _cable = true;
    private ulong _autonegDueUs;
    private long _framesReceived, _framesTransmitted, _framesDropped, _framesFiltered;
    private long _legacyTxDescriptors, _unsentTxFrames, _rxDescriptorTypeErrors;

    /// <summary>
    /// A powered-on 82576 with <paramref name="mac"/> in its EEPROM and RAL0/RAH0, its cable plugged
    /// in, on <paramref name="network"/>; the driver gets <paramref name="dmaBytes"/> of DMA memory
    /// seen by the device at <paramref name="dmaDeviceAddress"/>.
    /// </summary>
    public IgbModel(ModelNetwork network, ReadOnlySpan<byte> mac, ulong dmaDeviceAddress, nuint dmaBytes)
        : base(network, dmaDeviceAddress, dmaBytes, VendorId, DeviceId)
    {
        if (mac.Length != 6) throw new ArgumentException("A MAC address has 6 bytes.", nameof(mac));
        _mac = mac.ToArray();
        _eeprom = new IgbEepromModel(mac, DeviceId);
        for (int q = 0; q < QueueCount; q++)
        {
            _rx[q] = new IgbRxQueue(this, q);
            _tx[q] = new IgbTxQueue(this, q);
        }
        _autonegTimer = new Timer(_ => OnAutonegTimer(), null, Timeout.Infinite, Timeout.Infinite);
        Registers = new IgbRegisterRegion(this);
        Bars[0] = Registers;
        Config.SetBar(0, Bar0Address, IgbRegisters.RegionBytes);
        lock (Network.Lock)
        {
            Reset(software: false);
            // Power-on: the PHY negotiates by itself (QEMU starts it when the VM runs).
            StartAutoneg();
        }
    }

    /// <summary>The BAR0 register region (also <c>Bars[0]</c>).</summary>
    public ModelRegion Registers { get; }

    /// <summary>How long autonegotiation takes; zero completes it within the MDIC write. Applies to the next restart.</summary>
    public TimeSpan AutonegotiationTime { get; set; } = DefaultAutonegotiationTime;

    /// <summary>
    /// QEMU raises ICR.TXDW only when the queue's IVAR TX entry is valid (it derives TXDW from the
    /// queue's MSI-X vector mapping, even in legacy mode); true (the default) reproduces that, false
    /// raises TXDW on every write-back as the datasheet's legacy mode describes.
    /// </summary>
    public bool TxdwRequiresIvar { get; set; } = true;

    /// <inheritdoc/>
    public override ReadOnlySpan<byte> Mac => _mac;

    /// <summary>The cable: frames pass only while both ends are plugged in. Unplugging drops STATUS.LU at once; plugging in renegotiates.</summary>
    public override bool LinkUp
    {
        get { lock (Network.Lock) return _cable; }
        set
        {
            lock (Network.Lock)
            {
                if (_cable == value) return;
                _cable = value;
                OnCableChanged();
            }
        }
    }

    /// <summary>STATUS.LU: cable plugged in and autonegotiation complete.</summary>
    public bool LinkEstablished
    {
        get { lock (Network.Lock) { PollAutoneg(); return (Reg(STATUS) & STATUS_LU) != 0; } }
    }

    /// <summary>The legacy INTx line: (ICR &amp; IMS) != 0, unless the driver disabled INTx in the PCI command register.</summary>
    public override bool InterruptAsserted
    {
        get { lock (Network.Lock) { PollAutoneg(); return Asserted; } }
    }

    /// <summary>Frames written into the receive ring.</summary>
    public long FramesReceived => Interlocked.Read(ref _framesReceived);

    /// <summary>Frames put on the wire (or looped back).</summary>
    public long FramesTransmitted => Interlocked.Read(ref _framesTransmitted);

    /// <summary>Frames from the wire lost for lack of link, receiver, queue, buffers or FIFO space, or as oversized.</summary>
    public long FramesDropped => Interlocked.Read(ref _framesDropped);

    /// <summary>Frames from the wire rejected by the address or VLAN filters.</summary>
    public long FramesFiltered => Interlocked.Read(ref _framesFiltered);

    /// <summary>Frames waiting in the receive FIFO for free descriptors.</summary>
    public int PendingReceiveFrames { get { lock (Network.Lock) return _fifo.Count; } }

    /// <summary>Legacy (DEXT=0) transmit descriptors consumed without sending anything (QEMU does not implement them).</summary>
    public long LegacyTxDescriptors => Interlocked.Read(ref _legacyTxDescriptors);

    /// <summary>Gathered transmit frames not sent: a TCP segmentation train whose descriptors do not add up (PAYLEN, MSS, header lengths), or larger than IgbTxQueue.MaxFrame.</summary>
    public long UnsentTxFrames => Interlocked.Read(ref _unsentTxFrames);

    /// <summary>Frames dropped because queue 0's SRRCTL.DESCTYPE was not advanced one-buffer (1).</summary>
    public long RxDescriptorTypeErrors => Interlocked.Read(ref _rxDescriptorTypeErrors);

    /// <summary>True when receive queue <paramref name="queue"/> stopped after a refused DMA (cleared by re-enabling it or a reset).</summary>
    public bool IsRxQueueHalted(int queue) { lock (Network.Lock) return _rx[queue].Halted; }

    /// <summary>True when transmit queue <paramref name="queue"/> stopped after a refused DMA (cleared by re-enabling it or a reset).</summary>
    public bool IsTxQueueHalted(int queue) { lock (Network.Lock) return _tx[queue].Halted; }

    /// <inheritdoc/>
    public override void Deliver(ReadOnlySpan<byte> frame)
    {
        lock (Network.Lock)
        {
            PollAutoneg();
            Receive(frame);
        }
    }

    // ------------------------------------------------------------------ DMA for the queues

    internal bool DeviceRead(ulong address, Span<byte> destination) => DmaRead(address, destination);
    internal bool DeviceWrite(ulong address, ReadOnlySpan<byte> source) => DmaWrite(address, source);
    internal void CountLegacyTxDescriptor() => _legacyTxDescriptors++;
    internal void CountOversizedTxFrame() => _unsentTxFrames++;

    private ref uint Reg(int offset) => ref _regs[offset >> 2];

    // ------------------------------------------------------------------ reset

    // Software reset (CTRL.RST; public sources cite datasheet 4.2.1.6.1, not fully confirmed) and
    // power-on: every register back to its default except, for a software reset, the packet
    // buffer sizes and EITR (QEMU igb_reset); the MAC address is reloaded from the EEPROM into
    // RAL0/RAH0; queues, FIFO and statistics are emptied.
    private void Reset(bool software)
    {
        CancelAutoneg();
        _phy.Reset();
        uint rxpbs = Reg(RXPBS), txpbs = Reg(TXPBS);
        var eitr = new uint[EITRCount];
        for (int i = 0; i < EITRCount; i++) eitr[i] = Reg(EITR0 + 4 * i);

        Array.Clear(_regs);
        Reg(CTRL) = CTRL_Reset;
        Reg(STATUS) = STATUS_Reset;
        Reg(EECD) = EECD_Reset;
        Reg(VET) = 0x81008100;
        Reg(TCTL) = TCTL_Reset;
        Reg(TIPG) = 0x00601008;
        Reg(RXPBS) = 0x40;
        Reg(TXPBS) = 0x28;
        Reg(RXCSUM) = RXCSUM_IPOFL | RXCSUM_TUOFL;
        Reg(RLPML) = 0x2600;
        Reg(LEDCTL) = 2 | 3 << 8 | 1 << 15 | 6 << 16 | 7 << 24;
        Reg(EEMNGCTL) = 1u << 31;
        if (software)
        {
            Reg(RXPBS) = rxpbs;
            Reg(TXPBS) = txpbs;
            for (int i = 0; i < EITRCount; i++) Reg(EITR0 + 4 * i) = eitr[i];
        }

        // RAL0/RAH0 hold the EEPROM's address, valid (RAL/RAH: datasheet section not confirmed).
        Reg(RA) = (uint)(_mac[0] | _mac[1] << 8 | _mac[2] << 16 | _mac[3] << 24);
        Reg(RA + 4) = (uint)(_mac[4] | _mac[5] << 8) | RAH_AV;

        foreach (var q in _rx) q.Reset();
        foreach (var q in _tx) q.Reset();
        _resetAtUs = MonotonicClock.NowMicroseconds();
        _quiescedAtUs = 1;   // units off since the reset: nothing left to drain
        _stats.Clear();
        _fifo.Clear();
        if (!_cable) _phy.LinkDown();
        InterruptChanged();
    }

    // ------------------------------------------------------------------ link (datasheet 3.5, 4.5.7)

    private void OnCableChanged()
    {
        uint before = Reg(STATUS);
        if (!_cable)
        {
            Reg(STATUS) &= ~STATUS_LU;
            _phy.LinkDown();
        }
        else if (_phy.AutonegEnabled && !_phy.AutonegComplete) StartAutoneg();
        else
        {
            Reg(STATUS) |= STATUS_LU;
            _phy.LinkUp();
        }
        if (Reg(STATUS) != before) Raise(ICR_LSC);
    }

    // Restarting negotiation takes the link down at once (without LSC, as QEMU) and brings it up
    // when the negotiation time has passed.
    private void StartAutoneg()
    {
        Reg(STATUS) &= ~STATUS_LU;
        _phy.LinkDown();
        TimeSpan delay = AutonegotiationTime;
        if (delay <= TimeSpan.Zero)
        {
            CompleteAutoneg();
            return;
        }
        _autonegDueUs = MonotonicClock.NowMicroseconds() + (ulong)(delay.Ticks / 10);
        // The timer only wakes interrupt waiters on time; register accesses also complete it lazily.
        _autonegTimer.Change((long)Math.Ceiling(delay.TotalMilliseconds), Timeout.Infinite);
    }

    private void CancelAutoneg()
    {
        _autonegDueUs = 0;
        _autonegTimer.Change(Timeout.Infinite, Timeout.Infinite);
    }

    private void PollAutoneg()
    {
        if (_autonegDueUs != 0 && MonotonicClock.NowMicroseconds() >= _autonegDueUs) CompleteAutoneg();
    }

    private void OnAutonegTimer()
    {
        lock (Network.Lock)
        {
            if (_autonegDueUs == 0) return;
            ulong now = MonotonicClock.NowMicroseconds();
            if (now < _autonegDueUs) _autonegTimer.Change((long)((_autonegDueUs - now) / 1000) + 1, Timeout.Infinite);
            else CompleteAutoneg();
        }
    }

    // Negotiation done: with the cable in, link up at 1000/full, partner acknowledged, flow control
    // resolved into CTRL.TFCE/RFCE, and LSC (QEMU igb_autoneg_timer). No DMA here: this may run on
    // the timer thread.
    private void CompleteAutoneg()
    {
        _autonegDueUs = 0;
        if (!_cable) return;
        Reg(STATUS) |= STATUS_LU;
        _phy.AutonegDone();
        if (_phy.AutonegEnabled) Reg(CTRL) |= CTRL_TFCE | CTRL_RFCE;
        Raise(ICR_LSC);
    }

    // ------------------------------------------------------------------ interrupts (datasheet 7.3, 8.8)

    private bool Asserted => (Reg(ICR) & Reg(IMS)) != 0 && (Config.Command & 0x400) == 0;

    // New causes; ICR.INT_ASSERTED follows any cause (as QEMU), IAC counts newly enabled causes.
    private void Raise(uint causes)
    {
        if (causes == 0) return;
        uint before = Reg(ICR) & Reg(IMS);
        Reg(ICR) |= causes;
        FixIntAsserted();
        if ((Reg(ICR) & Reg(IMS) & ~before) != 0) _stats.Increment(IgbStatistics.IAC);
        InterruptChanged();
    }

    private void SetMask(uint bits)
    {
        uint before = Reg(ICR) & Reg(IMS);
        Reg(IMS) |= bits & IMS_Writable;
        if ((Reg(ICR) & Reg(IMS) & ~before) != 0) _stats.Increment(IgbStatistics.IAC);
        InterruptChanged();
    }

    private void FixIntAsserted()
    {
        if ((Reg(ICR) & ~ICR_INT_ASSERTED) != 0) Reg(ICR) |= ICR_INT_ASSERTED;
        else Reg(ICR) &= ~ICR_INT_ASSERTED;
    }

    // ICR read (section not confirmed): with INTx (no MSI-X here) a read always clears it; with GPIE.NSICR the
    // IAM bits of IMS are cleared too (QEMU igb_mac_icr_read / igb_nsicr).
    private uint ReadInterruptCause()
    {
        uint value = Reg(ICR);
        Reg(ICR) = 0;
        if ((Reg(GPIE) & GPIE_NSICR) != 0) Reg(IMS) &= ~Reg(IAM);
        InterruptChanged();
        return value;
    }

    // ICR write: 1s clear those causes; auto-mask first as QEMU igb_set_icr.
    private void ClearInterruptCause(uint bits)
    {
        if ((Reg(GPIE) & GPIE_NSICR) != 0 || (Reg(IMS) != 0 && (Reg(ICR) & ICR_INT_ASSERTED) != 0))
            Reg(IMS) &= ~Reg(IAM);
        Reg(ICR) &= ~bits;
        FixIntAsserted();
        InterruptChanged();
    }

    // IVAR (8.8.13): entry n covers queues n and n+8; TX uses bytes 1 and 3.
    private bool IvarTxValid(int queue)
    {
        uint ivar = Reg(IVAR0 + 4 * (queue & 7));
        int shift = queue < 8 ? 8 : 24;
        return ((ivar >> shift) & IVAR_VALID) != 0;
    }
}
