namespace Regs.Runtime.Models.Igb;

/// <summary>
/// The internal copper PHY behind MDIC (IEEE 802.3 clause 22 registers plus the IGP-specific ones
/// the datasheet lists in 8.25). Only the registers QEMU's igb implements exist; the others, like
/// writes to read-only ones, answer with MDIC.E. Link state is kept in BMSR the way QEMU does:
/// LINK_STATUS and AN_COMPLETE drop when negotiation restarts and rise when it completes.
/// </summary>
internal sealed class IgbPhyModel
{
    public const int BMCR = 0, BMSR = 1, PHYID1 = 2, PHYID2 = 3, ANAR = 4, ANLPAR = 5, ANER = 6;
    public const int NPTX = 7, LPNP = 8, GTCR = 9, GTSR = 10, ESR = 15;
    public const int PORT_CONFIG = 0x10, PORT_STATUS = 0x11, PORT_CTRL = 0x12, LINK_HEALTH = 0x13;
    public const int POWER_MGMT = 0x19, PAGE_SELECT = 0x1F;

    public const ushort BMCR_RESTART_AN = 1 << 9, BMCR_AN_ENABLE = 1 << 12, BMCR_RESET = 1 << 15;
    public const ushort BMCR_LOOPBACK = 1 << 14;
    public const ushort BMSR_LINK_STATUS = 1 << 2, BMSR_AN_COMPLETE = 1 << 5;
    public const ushort ANLPAR_ACK = 1 << 14;

    private const byte R = 1, W = 2;

    // Which registers exist and how (QEMU igb_phy_regcap).
    private static readonly byte[] Capability = BuildCapability();

    // Power-on values (QEMU igb_phy_reg_init): 1000/full with autonegotiation; IGP03E1000_E PHY id
    // 0x02A80390 with revision 1; partner advertises 10/100 and pause; 1000BASE-T both ways.
    private static readonly ushort[] PowerOn = BuildPowerOn();

    private readonly ushort[] _regs = new ushort[32];

    public IgbPhyModel() { Reset(); }

    /// <summary>Restores the power-on register values (device reset).</summary>
    public void Reset() => PowerOn.CopyTo(_regs, 0);

    /// <summary>Raw register value, for the model's own link logic.</summary>
    public ushort this[int register]
    {
        get => _regs[register];
        set => _regs[register] = value;
    }

    public bool AutonegEnabled => (_regs[BMCR] & BMCR_AN_ENABLE) != 0;
    public bool AutonegComplete => (_regs[BMSR] & BMSR_AN_COMPLETE) != 0;
    public bool Loopback => (_regs[BMCR] & BMCR_LOOPBACK) != 0;

    /// <summary>An MDIO read; false when the register does not exist or is write-only.</summary>
    public bool TryRead(int register, out ushort value)
    {
        value = 0;
        if ((uint)register >= 32 || (Capability[register] & R) == 0) return false;
        value = _regs[register];
        return true;
    }

    /// <summary>
    /// An MDIO write; false when the register does not exist or is read-only. Sets
    /// <paramref name="restartAutoneg"/> when BMCR asked for a restart with autonegotiation on.
    /// </summary>
    public bool TryWrite(int register, ushort value, out bool restartAutoneg)
    {
        restartAutoneg = false;
        if ((uint)register >= 32 || (Capability[register] & W) == 0) return false;
        if (register == BMCR)
        {
            // Bits 5:0 are reserved; RESET and RESTART_AN self-clear (IEEE 802.3 22.2.4.1).
            _regs[BMCR] = (ushort)(value & ~(0x3F | BMCR_RESET | BMCR_RESTART_AN));
            restartAutoneg = (value & BMCR_RESTART_AN) != 0 && AutonegEnabled;
        }
        else _regs[register] = value;
        return true;
    }

    /// <summary>Link lost or negotiation restarted: BMSR link and completion bits drop.</summary>
    public void LinkDown()
    {
        _regs[BMSR] &= unchecked((ushort)~(BMSR_LINK_STATUS | BMSR_AN_COMPLETE));
        _regs[ANLPAR] &= unchecked((ushort)~ANLPAR_ACK);
    }

    /// <summary>Link established without negotiation news.</summary>
    public void LinkUp() => _regs[BMSR] |= BMSR_LINK_STATUS;

    /// <summary>Negotiation finished: link up, partner page acknowledged.</summary>
    public void AutonegDone()
    {
        LinkUp();
        _regs[ANLPAR] |= ANLPAR_ACK;
        _regs[BMSR] |= BMSR_AN_COMPLETE;
    }

    private static byte[] BuildCapability()
    {
        var c = new byte[32];
        c[BMCR] = R | W; c[BMSR] = R; c[PHYID1] = R; c[PHYID2] = R; c[ANAR] = R | W; c[ANLPAR] = R;
        c[ANER] = R; c[NPTX] = R | W; c[LPNP] = R; c[GTCR] = R | W; c[GTSR] = R; c[ESR] = R;
        c[PORT_CONFIG] = R | W; c[PORT_STATUS] = R; c[PORT_CTRL] = R | W; c[LINK_HEALTH] = R;
        c[POWER_MGMT] = R | W; c[PAGE_SELECT] = W;
        return c;
    }

    private static ushort[] BuildPowerOn()
    {
        var r = new ushort[32];
        r[BMCR] = 0x1140;        // SPEED_MSB (1000) | DUPLEX | AN_ENABLE
        r[BMSR] = 0x794D;        // 10/100 caps, extended status, preamble suppression, AN ability, link, extended caps
        r[PHYID1] = 0x02A8;
        r[PHYID2] = 0x0391;
        r[ANAR] = 0x0DE1;        // selector 1, 10/100 half/full, pause, asymmetric pause
        r[ANLPAR] = 0x07E0;      // partner: 10/100 half/full, T4, pause
        r[ANER] = 0x0005;        // partner AN able, next page able
        r[NPTX] = 0x2001;
        r[GTCR] = 0x0F00;        // advertise 1000 half/full, multi-port, master
        r[GTSR] = 0x3C00;        // partner 1000 half/full, local and remote receiver OK
        r[ESR] = 0x3000;         // 1000BASE-T half/full
        r[PORT_CONFIG] = 0x0120;
        r[PORT_STATUS] = 0xC000; // resolved 1000 Mb/s
        r[POWER_MGMT] = 0x008D;
        return r;
    }
}
