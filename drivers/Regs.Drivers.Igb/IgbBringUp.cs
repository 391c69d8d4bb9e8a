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

// Initialisation: the bring-up sequence shared by Initialise, Reset and recovery.

public readonly unsafe partial struct IgbNic<TAccess, THost>
{
    /// <summary>
    /// The whole device bring-up, used by initialisation, by <see cref="Reset"/> and by the
    /// watchdog's recovery; it reuses the memory allocated once and re-applies the station address
    /// and multicast table kept in private memory. Steps, in datasheet order:
    /// <list type="number">
    /// <item>PCI: memory space and bus master on; INTx enabled only in interrupt mode.</item>
    /// <item>4.5.1: mask every interrupt (IMC).</item>
    /// <item>4.5.2: stop receive and transmit, stop PCIe mastering (CTRL.GIO_MASTER_DISABLE, wait
    /// for STATUS.GIO_MASTER_ENABLE to clear), global reset (CTRL.RST, bounded wait for it to
    /// self-clear, then for EEC.AUTO_RD), mask again and clear ICR.</item>
    /// <item>4.5.4: copper link: CTRL.SLU with speed and duplex resolved by the PHY, CTRL_EXT.DRV_LOAD,
    /// PHY auto-negotiation restart through MDIC (BMCR AN_ENABLE | RESTART_AN).</item>
    /// <item>Receive addresses (8.10): station address in RAL0/RAH0 (read from the device, or the
    /// one set), the other 23 entries invalid, the 128 MTA words from the driver's shadow.</item>
    /// <item>4.5.5: statistics registers read once to clear them.</item>
    /// <item>Receive and transmit queues and units (see <see cref="StartReceive"/>, <see cref="StartTransmit"/>).</item>
    /// <item>7.3: interrupt mode only: unmask RXT0 and LSC.</item>
    /// <item>Wait for STATUS.LU, bounded; a link still down is reported, not failed.</item>
    /// </list>
    /// </summary>
    private NicStatus BringUp()
    {
        THost host = _host;
        IgbState* s = _state;
        s->Running = false;

        // PCI command register: MMIO on, DMA off until the reset below has stopped whatever a
        // previous owner left running; INTx only when used.
        TAccess configSpace = host.ConfigSpace();
        PciFunction.EnableMemory(configSpace, busMaster: false);
        var header = new PciConfig<TAccess>(configSpace);
        var command = header.Command.Read();
        command.InterruptDisable = !s->Options.InterruptMode;
        header.Command.Write(command);

        // 4.5.1: no interrupts while initialising.
        _regs.IMC.Write(AllCauses);

        // 4.5.2: quiesce, then global reset.
        Igb.RCTL rctl = _regs.RCTL.Read();
        rctl.EN = false;
        _regs.RCTL.Write(rctl);
        Igb.TCTL tctl = _regs.TCTL.Read();
        tctl.EN = false;
        _regs.TCTL.Write(tctl);

        Igb.CTRL ctrl = _regs.CTRL.Read();
        ctrl.GIO_MASTER_DISABLE = true;
        _regs.CTRL.Write(ctrl);
        Deadline deadline = Deadline.After(ref host, MasterDisableTimeoutMicroseconds);
        while (_regs.STATUS.Read().GIO_MASTER_ENABLE)
        {
            if (deadline.Expired(ref host)) { Log("igb: PCIe master disable timed out; resetting anyway"u8); break; }
            host.Delay(100);
        }

        ctrl = _regs.CTRL.Read();
        ctrl.RST = true;
        _regs.CTRL.Write(ctrl);
        deadline = Deadline.After(ref host, ResetTimeoutMicroseconds);
        while (_regs.CTRL.Read().RST)
        {
            if (deadline.Expired(ref host)) return Fail(NicStatus.Timeout, "igb: CTRL.RST did not clear"u8);
            host.Delay(10);
        }
        // The EEPROM auto-read sets EEC.AUTO_RD; without an EEPROM it never does, which is not
        // an error (Linux igb goes on too), so this wait only gives the load its time.
        deadline = Deadline.After(ref host, AutoReadTimeoutMicroseconds);
        while (!_regs.EECD.Read().AUTO_RD && !deadline.Expired(ref host)) host.Delay(10);
        _regs.IMC.Write(AllCauses);
        _regs.ICR.ReadAndClear();

        // The device is quiet and its rings forgotten: now it may DMA.
        PciFunction.EnableMemory(configSpace, busMaster: true);

        // 4.5.4: link. Copper PHY: the MAC takes speed and duplex from the PHY (no forcing).
        ctrl = _regs.CTRL.Read();
        ctrl.SLU = true;
        ctrl.FRCSPD = false;
        ctrl.FRCDPX = false;
        ctrl.LRST = false;
        ctrl.PHY_RST = false;
        ctrl.ILOS = false;
        ctrl.RFCE = false;
        ctrl.TFCE = false;
        _regs.CTRL.Write(ctrl);
        Igb.CTRL_EXT ext = _regs.CTRL_EXT.Read();
        ext.DRV_LOAD = true;
        _regs.CTRL_EXT.Write(ext);

        NicStatus status = RestartAutonegotiation();
        if (status != NicStatus.Ok) return Fail(status, "igb: PHY auto-negotiation restart failed"u8);

        // Receive address filters: the station address is learnt once (the first bring-up that
        // finds one) and re-applied after every reset.
        if (!s->MacKnown)
        {
            if (s->Options.SetMac) s->Mac = s->Options.Mac.Bits;
            else
            {
                status = ReadDeviceMac(out s->Mac);
                if (status != NicStatus.Ok) return Fail(status, "igb: no valid MAC address in RAL0/RAH0 or the EEPROM"u8);
            }
            s->MacKnown = true;
        }
        WriteReceiveAddress(0, s->Mac);
        for (uint i = 1; i < Igb.RALCount; i++)
        {
            _regs.RAH(i).Write(default);
            _regs.RAL(i).Write(0u);
        }
        for (uint i = 0; i < Igb.MTACount; i++) _regs.MTA(i).Write(s->Mta[(int)i]);

        // 4.5.5: the statistics registers clear on read; start from zero (a reset cleared them too).
        IgbDeviceStats discard = default;
        ReadDeviceStats(ref discard);

        status = StartReceive();
        if (status != NicStatus.Ok) return Fail(status, "igb: receive queue did not enable"u8);
        status = StartTransmit();
        if (status != NicStatus.Ok) return Fail(status, "igb: transmit queue did not enable"u8);

        // 7.3: interrupts for received frames and link changes, on the INTx line or, when the
        // platform enabled MSI-X, on vector 0.
        _regs.ICR.ReadAndClear();
        if (s->Options.InterruptMode)
        {
            if (host.InterruptVectors > 0) RouteToMsixVector0();
            _regs.IMS.Set(InterruptCause.RXT0 | InterruptCause.LSC);
        }

        // Wait (bounded) for auto-negotiation; a cable that is out is not an initialisation error.
        deadline = Deadline.After(ref host, s->Options.LinkWaitMicroseconds);
        while (!_regs.STATUS.Read().LU && !deadline.Expired(ref host)) host.Delay(1000);
        Igb.STATUS linkStatus = _regs.STATUS.Read();
        s->LinkUp = linkStatus.LU;
        s->LastWatchdog = host.NowMicroseconds();
        s->Running = true;
        LogLink(linkStatus);
        return NicStatus.Ok;
    }

    /// <summary>
    /// Receive queue, then the receive unit (datasheet 4.5, "Receive Initialization"): the ring
    /// (<see cref="IgbRxRing.Start"/>), then RCTL: broadcast accepted, CRC stripped, 2048-byte
    /// BSIZE (SRRCTL.BSIZEPACKET overrides it per queue), no long packets, multicast offset 0
    /// (hash on address bits 47:36), no loopback, and finally EN.
    /// </summary>
    private NicStatus StartReceive()
    {
        THost host = _host;
        IgbState* s = _state;
        NicStatus status = s->Rx.Start(_regs, ref host);
        if (status != NicStatus.Ok) return status;

        Igb.RCTL rctl = default;
        rctl.BAM = true;
        rctl.SECRC = true;
        rctl.BSIZE = RctlBufferSize.Bytes2048;
        rctl.LPE = false;
        rctl.MO = 0;
        rctl.LBM = RctlLoopback.None;
        rctl.UPE = s->Options.Promiscuous;
        rctl.MPE = s->Options.Promiscuous;
        _regs.RCTL.Write(rctl);
        rctl.EN = true;
        _regs.RCTL.Write(rctl);
        return NicStatus.Ok;
    }

    /// <summary>
    /// Transmit queue, then the transmit unit (datasheet 4.5, "Transmit Initialization"): the
    /// ring (<see cref="IgbTxRing.Start"/>), then TCTL: pad short packets, collision threshold
    /// 15 and collision distance 63 (the full-duplex values Linux igb uses), and EN. TIPG keeps
    /// its reset value, the one the datasheet recommends for copper.
    /// </summary>
    private NicStatus StartTransmit()
    {
        THost host = _host;
        NicStatus status = _state->Tx.Start(_regs, ref host);
        if (status != NicStatus.Ok) return status;

        Igb.TCTL tctl = _regs.TCTL.Read();
        tctl.PSP = true;
        tctl.CT = 15;
        tctl.COLD = 63;
        tctl.EN = true;
        _regs.TCTL.Write(tctl);
        return NicStatus.Ok;
    }
}
