using System;
using System.Collections.Generic;
using System.Threading;
using Regs.Runtime.Hosted;
using static Regs.Runtime.Models.Igb.IgbRegisters;

namespace Regs.Runtime.Models.Igb;

// Driver conformance: what real 82576 silicon (and its manageability firmware) asks of a driver
// that QEMU's igb does not enforce. Each rule is either counted always (a counter a test asserts
// is 0) or enabled by a switch when it changes what the device does. The facts come from the
// Linux igb driver (function names cited) where the datasheet section is not confirmed here.
public sealed partial class IgbModel
{
    /// <summary>
    /// Shortest frame the MAC pads (TCTL.PSP) and sends: 17 bytes. Linux igb_xmit_frame pads every
    /// shorter frame in software because "the minimum packet size with TCTL.PSP set is 17".
    /// </summary>
    public const int MinimumPaddedFrame = 17;

    /// <summary>How long the DMA needs to drain after RCTL/TCTL are stopped, before CTRL.RST (Linux igb_reset_hw_82575 sleeps 10-20 ms).</summary>
    public const ulong ResetDrainMicroseconds = 10_000;

    private readonly List<string> _resetViolations = new();
    private long _shortTxFrames, _eecdReads, _eemngctlReads, _queueHeadWritesWhileEnabled;
    private long _mdicWhileFirmwareOwned, _mdicWithoutOwnership, _eerdWithoutOwnership, _swFwSyncWithoutSemaphore;
    private ulong _quiescedAtUs;       // when RCTL.EN and TCTL.EN were last both seen cleared; 0 while either is set
    private bool _busMasterSeen;       // Command.BME at the last register access
    private ulong _resetAtUs;          // last reset (CFG_DONE timing)
    private ulong _firmwarePhyUntilUs; // firmware holds the PHY semaphore until then (ulong.MaxValue: for ever)

    /// <summary>Switch: frames shorter than <see cref="MinimumPaddedFrame"/> are dropped (and counted in <see cref="ShortTxFrames"/>) instead of padded.</summary>
    public bool DropShortTxFrames { get; set; }

    /// <summary>Transmit frames the driver handed over shorter than <see cref="MinimumPaddedFrame"/> bytes.</summary>
    public long ShortTxFrames => Interlocked.Read(ref _shortTxFrames);

    /// <summary>
    /// Transmit frames whose first data descriptor's PAYLEN (olinfo bits 31:14) is not the frame's
    /// length, without TSE (datasheet 7.2.2.3.11: PAYLEN is the whole packet's length; QEMU ignores
    /// it, the 82576 sizes the packet-buffer allocation by it).
    /// </summary>
    public long TxPaylenMismatches => Interlocked.Read(ref _txPaylenMismatches);

    private long _txPaylenMismatches;

    internal void CountTxPaylenMismatch() => _txPaylenMismatches++;

    /// <summary>
    /// Switch: record every CTRL.RST issued while RCTL.EN or TCTL.EN is set, with interrupts
    /// unmasked, or less than <see cref="ResetDrainMicroseconds"/> after the units stopped
    /// (Linux igb_reset_hw_82575: IMC all, RCTL 0, TCTL PSP, flush, 10 ms, RST), and every
    /// clearing of PCI bus mastering before the GIO master-disable handshake (CTRL.GIO_MASTER_DISABLE).
    /// </summary>
    public bool CheckResetSequence { get; set; }

    /// <summary>What <see cref="CheckResetSequence"/> found, in order.</summary>
    public IReadOnlyList<string> ResetSequenceViolations { get { lock (Network.Lock) return _resetViolations.ToArray(); } }

    /// <summary>
    /// When EEMNGCTL.CFG_DONE0 (bit 18, Linux E1000_NVM_CFG_DONE_PORT_0) sets after a reset; null
    /// (the default) never sets it, as QEMU's igb, which reports only bit 31.
    /// </summary>
    public TimeSpan? ConfigDoneAfterReset { get; set; }

    /// <summary>Reads of EECD (EEC).</summary>
    public long EecdReads => Interlocked.Read(ref _eecdReads);

    /// <summary>Reads of EEMNGCTL.</summary>
    public long EemngctlReads => Interlocked.Read(ref _eemngctlReads);

    /// <summary>Switch: STATUS.SPEED reads 0b11 (the 1000 bit and the 100 bit both set; Linux tests the 1000 bit first).</summary>
    public bool ReportSpeedBits11 { get; set; }

    /// <summary>RDH or TDH written while the queue's RXDCTL/TXDCTL.ENABLE was set (Linux igb_configure_rx_ring/tx_ring write them before enabling).</summary>
    public long QueueHeadWritesWhileEnabled => Interlocked.Read(ref _queueHeadWritesWhileEnabled);

    /// <summary>MDIC operations started while the firmware held the PHY (SW_FW_SYNC.FW_PHY_SM0).</summary>
    public long MdicWhileFirmwareOwned => Interlocked.Read(ref _mdicWhileFirmwareOwned);

    /// <summary>MDIC operations started without SW_FW_SYNC.SW_PHY_SM0 (Linux igb_acquire_phy_82575).</summary>
    public long MdicWithoutOwnership => Interlocked.Read(ref _mdicWithoutOwnership);

    /// <summary>EERD reads started without SW_FW_SYNC.SW_EEP_SM (Linux igb_acquire_nvm_82575).</summary>
    public long EerdWithoutOwnership => Interlocked.Read(ref _eerdWithoutOwnership);

    /// <summary>SW_FW_SYNC written without holding SWSM.SMBI and SWESMBI, or claiming a resource the firmware held (Linux igb_acquire_swfw_sync_82575).</summary>
    public long SwFwSyncWithoutSemaphore => Interlocked.Read(ref _swFwSyncWithoutSemaphore);

    /// <summary>
    /// The manageability firmware takes the PHY semaphore (SW_FW_SYNC.FW_PHY_SM0) for
    /// <paramref name="duration"/>, or for ever when null, from now.
    /// </summary>
    public void FirmwareHoldsPhy(TimeSpan? duration)
    {
        lock (Network.Lock)
            _firmwarePhyUntilUs = duration is { } d ? MonotonicClock.NowMicroseconds() + (ulong)(d.Ticks / 10) : ulong.MaxValue;
    }

    private bool FirmwareOwnsPhy => _firmwarePhyUntilUs != 0 && MonotonicClock.NowMicroseconds() < _firmwarePhyUntilUs;

    // SW_FW_SYNC: software bits as written, firmware bits from the firmware's state.
    private uint ReadSwFwSync() => (Reg(SW_FW_SYNC) & SWFW_SoftwareMask) | (FirmwareOwnsPhy ? SWFW_FW_PHY0 : 0);

    private void WriteSwFwSync(uint value)
    {
        uint swsm = Reg(SWSM);
        bool held = (swsm & (SWSM_SMBI | SWSM_SWESMBI)) == (SWSM_SMBI | SWSM_SWESMBI);
        bool claimsFirmwarePhy = (value & ~Reg(SW_FW_SYNC) & SWFW_SW_PHY0) != 0 && FirmwareOwnsPhy;
        if (!held || claimsFirmwarePhy) _swFwSyncWithoutSemaphore++;
        Reg(SW_FW_SYNC) = value & SWFW_SoftwareMask;
    }

    // EEMNGCTL: QEMU's bit 31, plus CFG_DONE0 once the configured time after the last reset has passed.
    private uint ReadManageabilityControl()
    {
        _eemngctlReads++;
        uint value = Reg(EEMNGCTL);
        if (ConfigDoneAfterReset is { } after && MonotonicClock.NowMicroseconds() - _resetAtUs >= (ulong)(after.Ticks / 10))
            value |= EEMNGCTL_CFG_DONE0;
        return value;
    }

    private uint ApplySpeedSwitch(uint status) => ReportSpeedBits11 ? status | STATUS_SPEED_1000 | STATUS_SPEED_100 : status;

    // Every BAR0 access: notices bus mastering going off and checks it happened after the handshake.
    private void TrackBusMaster()
    {
        bool now = BusMaster;
        if (_busMasterSeen && !now && CheckResetSequence && (Reg(CTRL) & CTRL_GIO_MASTER_DISABLE) == 0)
            _resetViolations.Add("PCI bus mastering cleared before the GIO master-disable handshake");
        _busMasterSeen = now;
    }

    // After every RCTL/TCTL write: when both units are off, the drain time starts (once).
    private void NoteUnits()
    {
        bool stopped = (Reg(RCTL) & RCTL_EN) == 0 && (Reg(TCTL) & TCTL_EN) == 0;
        if (!stopped) _quiescedAtUs = 0;
        else if (_quiescedAtUs == 0) _quiescedAtUs = MonotonicClock.NowMicroseconds();
    }

    // A CTRL write with RST: was the device quiesced as the reset sequence asks?
    private void CheckReset()
    {
        if (!CheckResetSequence) return;
        if ((Reg(RCTL) & RCTL_EN) != 0) _resetViolations.Add("CTRL.RST with RCTL.EN set");
        if ((Reg(TCTL) & TCTL_EN) != 0) _resetViolations.Add("CTRL.RST with TCTL.EN set");
        if (Reg(IMS) != 0) _resetViolations.Add("CTRL.RST with interrupts unmasked");
        ulong now = MonotonicClock.NowMicroseconds();
        if (_quiescedAtUs == 0 || now - _quiescedAtUs < ResetDrainMicroseconds)
            _resetViolations.Add($"CTRL.RST {(_quiescedAtUs == 0 ? "without stopping the units" : $"{now - _quiescedAtUs} us after stopping the units")} (DMA drain needs {ResetDrainMicroseconds} us)");
    }

    private void CountShortTxFrame() => _shortTxFrames++;
    private void CountEecdRead() => _eecdReads++;
    private void CountHeadWrite(bool enabled) { if (enabled) _queueHeadWritesWhileEnabled++; }

    // An MDIC write starts an operation: ownership checks.
    private void CheckMdicOwnership()
    {
        if (FirmwareOwnsPhy) _mdicWhileFirmwareOwned++;
        if ((Reg(SW_FW_SYNC) & SWFW_SW_PHY0) == 0) _mdicWithoutOwnership++;
    }

    private void CheckEerdOwnership()
    {
        if ((Reg(SW_FW_SYNC) & SWFW_SW_EEP) == 0) _eerdWithoutOwnership++;
    }
}
