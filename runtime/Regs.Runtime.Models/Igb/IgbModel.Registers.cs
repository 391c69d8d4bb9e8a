using static Regs.Runtime.Models.Igb.IgbRegisters;

namespace Regs.Runtime.Models.Igb;

// The register map: which offsets exist, what reading and writing them does (datasheet chapter 8,
// QEMU igb_macreg_readops/writeops). Offsets not listed read 0 and ignore writes.
public sealed partial class IgbModel
{
    // Registers that simply hold what the driver wrote (masked where the hardware implements fewer bits).
    private static readonly uint[] PlainMask = BuildPlainMask();

    private static uint[] BuildPlainMask()
    {
        var m = new uint[RegionBytes / 4];
        void Set(int offset, uint mask = uint.MaxValue) => m[offset >> 2] = mask;
        void Range(int first, int count, uint mask = uint.MaxValue) { for (int i = 0; i < count; i++) Set(first + 4 * i, mask); }
        Set(FCAL); Set(FCAH, 0xFFFF); Set(FCT, 0xFFFF); Set(VET); Set(FCTTV, 0xFFFF); Set(LEDCTL);
        Set(EEMNGCTL); Set(IAM); Set(GPIE); Set(EIAC); Set(EIAM); Range(IVAR0, IVARCount); Set(IVAR_MISC);
        Set(RCTL); Set(TCTL); Set(TIPG); Set(FCRTL, 0x8000FFF8); Set(FCRTH, 0xFFF8); Set(RXPBS);
        Set(FCRTV, 0xFFFF); Set(TXPBS); Set(RXCSUM); Set(RLPML); Set(MRQC);
        Range(MTA, 128); Range(RA, 32); Range(RA2, 16); Range(VFTA, 128);
        Set(SWSM); Set(FWSM); Set(SW_FW_SYNC);
        return m;
    }

    internal uint ReadRegister(int offset)
    {
        PollAutoneg();
        TrackBusMaster();
        if (IgbStatistics.Contains(offset)) return _stats.Read(offset);
        if (TryQueue(offset, out bool receive, out int queue, out int register))
            return receive ? ReadRxQueue(_rx[queue], register) : ReadTxQueue(_tx[queue], register);
        if (offset >= EITR0 && offset < EITR0 + 4 * EITRCount) return Reg(offset);
        switch (offset)
        {
            case CTRL: return _resetStuck ? Reg(CTRL) | CTRL_RST : Reg(CTRL);
            case EECD: CountEecdRead(); return Reg(offset);
            case EERD: case CTRL_EXT: case MDIC: case EIMS: return Reg(offset);
            case STATUS: return ApplySpeedSwitch(ReadStatus());
            case EEMNGCTL: return ReadManageabilityControl();
            case SW_FW_SYNC: return ReadSwFwSync();
            case ICR: return ReadInterruptCause();
            case IMS: case IMC: return Reg(IMS); // 8.8.10: IMC reads return IMS
            case EICR: { uint v = Reg(EICR); Reg(EICR) = 0; return v; }
            case SWSM: { uint v = Reg(SWSM); Reg(SWSM) |= SWSM_SMBI; return v; } // reading takes the semaphore
        }
        return PlainMask[offset >> 2] != 0 ? Reg(offset) : 0;
    }

    internal void WriteRegister(int offset, uint value)
    {
        PollAutoneg();
        TrackBusMaster();
        if (IgbStatistics.Contains(offset)) return; // counters are read-only
        if (TryQueue(offset, out bool receive, out int queue, out int register))
        {
            if (receive) WriteRxQueue(_rx[queue], register, value);
            else WriteTxQueue(_tx[queue], register, value);
            return;
        }
        if (offset >= EITR0 && offset < EITR0 + 4 * EITRCount)
        {
            Reg(offset) = value & 0x7FFFFFFF; // CNT_IGNR is write-only
            return;
        }
        switch (offset)
        {
            case CTRL: case CTRL_DUP: WriteControl(value); return;
            case STATUS:
                if ((value & STATUS_PHYRA) == 0) Reg(STATUS) &= ~STATUS_PHYRA; // PHYRA clears by writing 0
                return;
            case EECD: Reg(EECD) = (Reg(EECD) & EECD_ReadOnly) | (value & ~EECD_ReadOnly); return;
            case EERD: CheckEerdOwnership(); WriteEepromRead(value); return;
            case CTRL_EXT: Reg(CTRL_EXT) = value & ~(CTRL_EXT_ASDCHK | CTRL_EXT_EE_RST); return; // self-clearing
            case MDIC: CheckMdicOwnership(); WriteMdic(value); return;
            case SW_FW_SYNC: WriteSwFwSync(value); return;
            case TCTL: Reg(TCTL) = value; NoteUnits(); return;
            case ICR: ClearInterruptCause(value); return;
            case ICS: Raise(value); return;
            case IMS: SetMask(value); return;
            case IMC: Reg(IMS) &= ~value; InterruptChanged(); return;
            // Extended (MSI-X) causes are kept for read-back only: the model signals through INTx.
            case EICS: Reg(EICR) |= value; return;
            case EIMS: Reg(EIMS) |= value; return;
            case EIMC: Reg(EIMS) &= ~value; return;
            case EICR: Reg(EICR) &= ~value; return;
            case RCTL:
                Reg(RCTL) = value;
                NoteUnits();
                if ((value & RCTL_EN) != 0) DrainReceive();
                return;
        }
        uint mask = PlainMask[offset >> 2];
        if (mask != 0) Reg(offset) = value & mask;
    }

    // CTRL (8.2.1): RST resets the device synchronously and self-clears; PHY_RST only latches
    // STATUS.PHYRA (QEMU); SLU/LRST/speed bits are stored and only affect STATUS as QEMU reports.
    private void WriteControl(uint value)
    {
        if ((value & CTRL_RST) != 0) CheckReset();
        Reg(CTRL) = value & ~CTRL_RST;
        if ((value & CTRL_RST) != 0) SoftwareReset();
        if ((value & CTRL_PHY_RST) != 0) Reg(STATUS) |= STATUS_PHYRA;
    }

    // STATUS (8.2.2), as QEMU computes it: duplex and speed follow CTRL when forced and are
    // otherwise full/1000 (whether or not the link is up); GIO master enable unless disabled or in link reset.
    private uint ReadStatus()
    {
        uint ctrl = Reg(CTRL);
        uint status = Reg(STATUS);
        if ((ctrl & CTRL_FRCDPX) == 0 || (ctrl & CTRL_FD) != 0) status |= STATUS_FD;
        if ((ctrl & CTRL_FRCSPD) != 0 || (Reg(CTRL_EXT) & CTRL_EXT_SPD_BYPS) != 0)
        {
            uint speed = (ctrl & CTRL_SPEED_MASK) >> 8;
            status |= speed == 0 ? 0 : speed == 1 ? STATUS_SPEED_100 : STATUS_SPEED_1000;
        }
        else status |= STATUS_SPEED_1000;
        if ((ctrl & (CTRL_GIO_MASTER_DISABLE | CTRL_LRST)) == 0) status |= STATUS_GIO_MASTER_ENABLE;
        return status;
    }

    // EERD (8.2.5): a START reads the word at once; DONE with the data, or no DONE beyond the EEPROM.
    private void WriteEepromRead(uint value)
    {
        uint address = (value >> EERD_ADDR_SHIFT) & EERD_ADDR_MASK;
        uint result = address << EERD_ADDR_SHIFT;
        if (Trigger(IgbFault.EepromNeverDone)) { Reg(EERD) = result; return; }
        if ((value & EERD_START) != 0 && _eeprom.TryRead(address, out ushort word))
            result |= EERD_DONE | (uint)word << EERD_DATA_SHIFT;
        Reg(EERD) = result;
    }

    // MDIC (8.2.4): completes at once with READY. PHY address other than 1, an absent register or
    // a write to a read-only one sets E. OP is two bits: 01 write, 10 read (QEMU igb_set_mdic).
    private void WriteMdic(uint value)
    {
        if (Trigger(IgbFault.MdicNeverReady)) { Reg(MDIC) = value & ~(MDIC_READY | MDIC_E); return; }
        if (Trigger(IgbFault.MdicError)) { Reg(MDIC) = value | MDIC_E | MDIC_READY; return; }
        int register = (int)(value >> MDIC_REG_SHIFT) & 0x1F;
        int phy = (int)(value >> MDIC_PHY_SHIFT) & 0x1F;
        bool restart = false;
        if (phy != 1) value = Reg(MDIC) | MDIC_E;
        else if ((value & MDIC_OP_READ) != 0)
        {
            if (_phy.TryRead(register, out ushort data)) value = (value & ~MDIC_DATA_MASK) | data;
            else value |= MDIC_E;
        }
        else if ((value & MDIC_OP_WRITE) != 0)
        {
            if (!_phy.TryWrite(register, (ushort)value, out restart)) value |= MDIC_E;
        }
        Reg(MDIC) = value | MDIC_READY;
        if (restart) StartAutoneg();
        if ((value & MDIC_I) != 0) Raise(ICR_MDAC);
    }

    // ------------------------------------------------------------------ queues (8.10, 8.12)

    private static bool TryQueue(int offset, out bool receive, out int queue, out int register)
    {
        receive = false; queue = 0; register = 0;
        if (offset >= RxQueueBase && offset < RxQueueBase + QueueStride * QueueCount)
        { receive = true; queue = (offset - RxQueueBase) / QueueStride; register = offset & (QueueStride - 1); return true; }
        if (offset >= TxQueueBase && offset < TxQueueBase + QueueStride * QueueCount)
        { queue = (offset - TxQueueBase) / QueueStride; register = offset & (QueueStride - 1); return true; }
        // The 82575-compatible aliases of queues 0-3: 0x2800/0x3800 + 0x100 n, first 0x40 bytes.
        if (offset >= RxAliasBase && offset < RxAliasBase + AliasStride * AliasCount && (offset & 0xFF) < QueueStride)
        { receive = true; queue = (offset - RxAliasBase) / AliasStride; register = offset & (QueueStride - 1); return true; }
        if (offset >= TxAliasBase && offset < TxAliasBase + AliasStride * AliasCount && (offset & 0xFF) < QueueStride)
        { queue = (offset - TxAliasBase) / AliasStride; register = offset & (QueueStride - 1); return true; }
        return false;
    }

    private static uint ReadRxQueue(IgbRxQueue q, int register) => register switch
    {
        QDBAL => q.BaseLow,
        QDBAH => q.BaseHigh,
        QDLEN => q.Length,
        QSRRCTL => q.SplitControl,
        QDH => q.Head,
        QDCA => q.Dca,
        QDT => q.Tail,
        QDCTL => q.Control,
        _ => 0,
    };

    private void WriteRxQueue(IgbRxQueue q, int register, uint value)
    {
        switch (register)
        {
            case QDBAL: q.BaseLow = value & XDBAL_Mask; break;
            case QDBAH: q.BaseHigh = value; break;
            case QDLEN: q.Length = value & XDLEN_Mask; break;
            case QSRRCTL: q.SplitControl = value; break;
            case QDH: CountHeadWrite(q.Enabled); q.Head = value & 0xFFFF; break;
            case QDCA: q.Dca = value; break;
            case QDT:
                // A new tail hands descriptors over: frames waiting in the FIFO go first.
                q.Tail = value & 0xFFFF;
                DrainReceive();
                break;
            case QDCTL:
                bool wasEnabled = q.Enabled;
                q.Control = value & ~XDCTL_SWFLSH; // flushing completes at once
                if (!wasEnabled && q.Enabled) { q.Halted = false; DrainReceive(); }
                break;
        }
    }

    private static uint ReadTxQueue(IgbTxQueue q, int register) => register switch
    {
        QDBAL => q.BaseLow,
        QDBAH => q.BaseHigh,
        QDLEN => q.Length,
        QDH => q.Head,
        QDCA => q.Dca,
        QDT => q.Tail,
        QDCTL => q.Control,
        QWBAL => q.WriteBackLow,
        QWBAH => q.WriteBackHigh,
        _ => 0,
    };

    private void WriteTxQueue(IgbTxQueue q, int register, uint value)
    {
        switch (register)
        {
            case QDBAL: q.BaseLow = value & XDBAL_Mask; break;
            case QDBAH: q.BaseHigh = value; break;
            case QDLEN: q.Length = value & XDLEN_Mask; break;
            case QDH: CountHeadWrite(q.Enabled); q.Head = value & 0xFFFF; break;
            case QDCA: q.Dca = value; break;
            case QWBAL: q.WriteBackLow = value; break;
            case QWBAH: q.WriteBackHigh = value; break;
            case QDT:
                // Only a tail write starts transmission (QEMU igb_set_tdt).
                q.Tail = value & 0xFFFF;
                RunTransmit(q);
                break;
            case QDCTL:
                bool wasEnabled = q.Enabled;
                q.Control = value & ~XDCTL_SWFLSH;
                if (wasEnabled != q.Enabled) q.DropPartialFrame();
                if (!wasEnabled && q.Enabled) q.Halted = false;
                break;
        }
    }
}
