using System;
using System.Runtime.CompilerServices;
using Regs.Igb;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime;
using Regs.Runtime.Pci;

namespace Regs.Drivers.Igb;

// The register block, not this namespace.
using Igb = global::Regs.Igb.Igb;

// PHY and link: auto-negotiation through MDIC, link state, link log line.

public readonly unsafe partial struct IgbNic<TAccess, THost>
{
    /// <summary>
    /// Restarts auto-negotiation on the internal PHY (IEEE 802.3 clause 22 BMCR, reached through
    /// MDIC at PHY address 1: MDIC datasheet 8.2.4, BMCR 8.25.1): read BMCR, set AN_ENABLE and RESTART_AN, make
    /// sure the PHY is neither powered down nor isolated, write it back. The PHY is shared with the
    /// manageability firmware: the accesses are made holding its SW_FW_SYNC bit
    /// (<see cref="AcquireResource"/>), as Linux igb_read_phy_reg_igp does.
    /// </summary>
    private NicStatus RestartAutonegotiation()
    {
        uint resource = PhyResource();
        NicStatus status = AcquireResource(resource);
        if (status != NicStatus.Ok) return status;
        var phy = _regs.Phy;
        IndirectStatus io = phy.BMCR.Read(out IgbPhy.BMCR bmcr);
        if (io == IndirectStatus.Ok)
        {
            bmcr.AN_ENABLE = true;
            bmcr.RESTART_AN = true;
            bmcr.POWER_DOWN = false;
            bmcr.ISOLATE = false;
            bmcr.LOOPBACK = false;
            io = phy.BMCR.Write(bmcr);
        }
        ReleaseResource(resource);
        return FromIndirect(io);
    }

    private static NicStatus FromIndirect(IndirectStatus io)
        => io == IndirectStatus.Ok ? NicStatus.Ok : io == IndirectStatus.Timeout ? NicStatus.Timeout : NicStatus.DeviceError;

    /// <inheritdoc/>
    public LinkState Link()
    {
        if (_state == null) return default;
        Igb.STATUS status = _regs.STATUS.Read();
        NoteLink(status.LU);
        if (!status.LU) return new LinkState(false, 0, false);
        return new LinkState(true, SpeedMbps(status.SPEED), status.FD);
    }

    /// <summary>
    /// STATUS.SPEED decoded bit by bit as Linux igb_get_speed_and_duplex_copper does: the 1000 bit
    /// (bit 7) first, so 0b11, which the enum does not name, is 1000 Mb/s; then the 100 bit.
    /// </summary>
    private static uint SpeedMbps(LinkSpeed speed)
        => ((uint)speed & (uint)LinkSpeed.Mbps1000) != 0 ? 1000u : ((uint)speed & (uint)LinkSpeed.Mbps100) != 0 ? 100u : 10u;

    /// <summary>Reads STATUS.LU; true (and counted) when it differs from what the driver last saw.</summary>
    private bool PollLink() => NoteLink(_regs.STATUS.Read().LU);

    private bool NoteLink(bool up)
    {
        IgbState* s = _state;
        if (up == s->LinkUp) return false;
        s->LinkUp = up;
        s->Stats.LinkChanges++;
        Log(up ? "igb: link up"u8 : "igb: link down"u8);
        return true;
    }

    private void LogLink(Igb.STATUS status)
    {
        Span<byte> buffer = stackalloc byte[96];
        var line = new LogLine(buffer);
        line.Add("igb: up, mac "u8);
        Span<byte> text = stackalloc byte[MacAddress.TextLength];
        Mac.Format(text);
        line.Add(text);
        if (status.LU)
        {
            line.Add(", link up "u8);
            line.Dec(SpeedMbps(status.SPEED));
            line.Add(status.FD ? " Mb/s full duplex"u8 : " Mb/s half duplex"u8);
        }
        else line.Add(", link down"u8);
        THost host = _host;
        host.Log(line.Text);
    }
}
