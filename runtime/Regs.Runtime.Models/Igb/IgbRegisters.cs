namespace Regs.Runtime.Models.Igb;

/// <summary>
/// BAR0 offsets and bit masks of the 82576 registers the model implements (datasheet chapter 8,
/// cross-checked against defs/igb/igb.regs.yaml and QEMU's igb). Kept as plain constants: the
/// model decodes raw bus accesses, so it must not depend on the accessors it is meant to test.
/// </summary>
internal static class IgbRegisters
{
    // General (8.2).
    public const int CTRL = 0x00000, CTRL_DUP = 0x00004, STATUS = 0x00008, EECD = 0x00010, EERD = 0x00014;
    public const int CTRL_EXT = 0x00018, MDIC = 0x00020, FCAL = 0x00028, FCAH = 0x0002C, FCT = 0x00030;
    public const int VET = 0x00038, FCTTV = 0x00170, LEDCTL = 0x00E00, EEMNGCTL = 0x01010;

    // Interrupts (8.8).
    public const int ICR = 0x000C0, ICS = 0x000C8, IMS = 0x000D0, IMC = 0x000D8, IAM = 0x000E0;
    public const int GPIE = 0x01514, EICS = 0x01520, EIMS = 0x01524, EIMC = 0x01528, EIAC = 0x0152C;
    public const int EIAM = 0x01530, EICR = 0x01580, EITR0 = 0x01680, EITRCount = 25, IVAR0 = 0x01700;
    public const int IVARCount = 8, IVAR_MISC = 0x01740;

    // Receive and transmit control (8.10, 8.12).
    public const int RCTL = 0x00100, TCTL = 0x00400, TIPG = 0x00410, FCRTL = 0x02160, FCRTH = 0x02168;
    public const int RXPBS = 0x02404, FCRTV = 0x02460, TXPBS = 0x03404, RXCSUM = 0x05000, RLPML = 0x05004;
    public const int MRQC = 0x05818;

    // Filters (datasheet sections not confirmed): MTA 128 words, RAL/RAH 16 pairs + 8 pairs, VFTA 128 words.
    public const int MTA = 0x05200, RA = 0x05400, RA2 = 0x054E0, VFTA = 0x05600;

    // Semaphores (datasheet section not confirmed).
    public const int SWSM = 0x05B50, FWSM = 0x05B54, SW_FW_SYNC = 0x05B5C;

    // Statistics block (8.19): 0x4000-0x4124.
    public const int StatsFirst = 0x04000, StatsLast = 0x04124;

    // Queue register windows (8.10 / 8.12): 16 queues at 0xC000/0xE000 + 0x40 n; queues 0-3
    // are also reached at the 82575-compatible 0x2800/0x3800 + 0x100 n.
    public const int RxQueueBase = 0x0C000, TxQueueBase = 0x0E000, QueueStride = 0x40, QueueCount = 16;
    public const int RxAliasBase = 0x02800, TxAliasBase = 0x03800, AliasStride = 0x100, AliasCount = 4;

    // Offsets inside one queue window.
    public const int QDBAL = 0x00, QDBAH = 0x04, QDLEN = 0x08, QSRRCTL = 0x0C, QDH = 0x10, QDCA = 0x14;
    public const int QDT = 0x18, QDCTL = 0x28, QWBAL = 0x38, QWBAH = 0x3C;

    /// <summary>The BAR0 window: 128 KiB.</summary>
    public const int RegionBytes = 0x20000;

    // CTRL bits (8.2.1).
    public const uint CTRL_FD = 1u << 0, CTRL_LRST = 1u << 3, CTRL_GIO_MASTER_DISABLE = 1u << 2;
    public const uint CTRL_SPEED_MASK = 3u << 8, CTRL_FRCSPD = 1u << 11, CTRL_FRCDPX = 1u << 12;
    public const uint CTRL_RST = 1u << 26, CTRL_RFCE = 1u << 27, CTRL_TFCE = 1u << 28;
    public const uint CTRL_VME = 1u << 30, CTRL_PHY_RST = 1u << 31;
    public const uint CTRL_Reset = 0x00100209; // FD | LRST | SPEED=1000 | ADVD3WUC, as QEMU.

    // STATUS bits (section not confirmed).
    public const uint STATUS_FD = 1u << 0, STATUS_LU = 1u << 1, STATUS_SPEED_1000 = 2u << 6;
    public const uint STATUS_SPEED_100 = 1u << 6, STATUS_PHYRA = 1u << 10, STATUS_GIO_MASTER_ENABLE = 1u << 19;
    public const uint STATUS_Reset = STATUS_PHYRA | 1u << 31; // QEMU also sets reserved bit 31.

    // CTRL_EXT bits (section not confirmed).
    public const uint CTRL_EXT_ASDCHK = 1u << 12, CTRL_EXT_EE_RST = 1u << 13, CTRL_EXT_SPD_BYPS = 1u << 15;
    public const uint CTRL_EXT_EXT_VLAN = 1u << 26;

    // EECD (datasheet section not confirmed): present, 2^(2+6) words size exponent, flash writes
    // disabled; AUTO_RD stays 0 as in QEMU.
    public const uint EECD_Reset = 0x10 | 0x100 | 2u << 11;
    public const uint EECD_ReadOnly = 0x100 | 0x200 | 0xFu << 11;

    // EERD (section not confirmed).
    public const uint EERD_START = 1u << 0, EERD_DONE = 1u << 1;
    public const int EERD_ADDR_SHIFT = 2, EERD_DATA_SHIFT = 16;
    public const uint EERD_ADDR_MASK = 0x3FFF;

    // MDIC (8.2.4).
    public const uint MDIC_DATA_MASK = 0xFFFF, MDIC_OP_WRITE = 1u << 26, MDIC_OP_READ = 1u << 27;
    public const uint MDIC_READY = 1u << 28, MDIC_I = 1u << 29, MDIC_E = 1u << 30;
    public const int MDIC_REG_SHIFT = 16, MDIC_PHY_SHIFT = 21;

    // Interrupt causes (ICR; section not confirmed).
    public const uint ICR_TXDW = 1u << 0, ICR_LSC = 1u << 2, ICR_RXDMT0 = 1u << 4, ICR_RXO = 1u << 6;
    public const uint ICR_RXT0 = 1u << 7, ICR_MDAC = 1u << 9, ICR_INT_ASSERTED = 1u << 31;
    /// <summary>Bits IMS accepts (QEMU's mask: reserved bits and INT_ASSERTED cannot be enabled).</summary>
    public const uint IMS_Writable = 0x77D4FBFD;
    public const uint GPIE_NSICR = 1u << 0;

    // RCTL (8.10.1).
    public const uint RCTL_EN = 1u << 1, RCTL_SBP = 1u << 2, RCTL_UPE = 1u << 3, RCTL_MPE = 1u << 4;
    public const uint RCTL_LPE = 1u << 5, RCTL_LBM_MASK = 3u << 6, RCTL_LBM_MAC = 1u << 6;
    public const int RCTL_MO_SHIFT = 12, RCTL_BSIZE_SHIFT = 16;
    public const uint RCTL_BAM = 1u << 15, RCTL_VFE = 1u << 18, RCTL_BSEX = 1u << 25, RCTL_SECRC = 1u << 26;

    // TCTL (section not confirmed).
    public const uint TCTL_EN = 1u << 1, TCTL_PSP = 1u << 3;
    public const uint TCTL_Reset = 0xA40400F8;

    // RXCSUM (datasheet section not confirmed).
    public const uint RXCSUM_IPOFL = 1u << 8, RXCSUM_TUOFL = 1u << 9, RXCSUM_PCSD = 1u << 13;

    // RAH (section not confirmed).
    public const uint RAH_AV = 1u << 31;

    // Queue control (8.10.2 SRRCTL, 8.10.10 RXDCTL, 8.12.13 TXDCTL).
    public const uint SRRCTL_BSIZEPACKET_MASK = 0x7F;
    public const int SRRCTL_RDMTS_SHIFT = 20, SRRCTL_DESCTYPE_SHIFT = 25;
    public const uint XDCTL_ENABLE = 1u << 25, XDCTL_SWFLSH = 1u << 26;
    /// <summary>Descriptor ring length: bits 19:7, a multiple of 128 bytes (section not confirmed).</summary>
    public const uint XDLEN_Mask = 0x000FFF80;
    /// <summary>Ring base: 16-byte aligned, as QEMU keeps it.</summary>
    public const uint XDBAL_Mask = 0xFFFFFFF0;

    // IVAR (8.8.13): each byte is ALLOC (4:0) plus VALID (7).
    public const uint IVAR_VALID = 0x80;

    // SWSM (datasheet section not confirmed).
    public const uint SWSM_SMBI = 1u << 0, SWSM_SWESMBI = 1u << 1;

    // SW_FW_SYNC (datasheet section not confirmed; Linux E1000_SWFW_EEP_SM, _PHY0_SM, firmware bits 16 up).
    public const uint SWFW_SW_EEP = 1u << 0, SWFW_SW_PHY0 = 1u << 1, SWFW_SoftwareMask = 0xFFFF;
    public const uint SWFW_FW_PHY0 = SWFW_SW_PHY0 << 16;

    // EEMNGCTL (datasheet section not confirmed; Linux E1000_NVM_CFG_DONE_PORT_0).
    public const uint EEMNGCTL_CFG_DONE0 = 1u << 18;
}
