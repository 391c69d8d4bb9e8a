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

// Initialisation: the bring-up sequence shared by Initialise, Reset and the watchdog's recovery,
// written as the datasheet's steps (82576 datasheet 4.5, Initialization), then one small method
// per step in the same order.

public readonly unsafe partial struct IgbNic<TAccess, THost>
{
    /// <summary>
    /// The device bring-up, used by initialisation, by <see cref="Reset"/> and by the watchdog's
    /// recovery. It reuses the memory allocated once and re-applies the station address and
    /// multicast table kept in private memory. The steps follow the datasheet's initialisation
    /// chapter (4.5); where the number of one of its subsections is not confirmed, the step cites
    /// the confirmed sections of the registers it writes instead. A step that fails stops the
    /// device and records why (<see cref="Fail"/>); a link that stays down is not a failure.
    /// <paramref name="waitForLink"/> false (the recoveries on the data path) returns without
    /// waiting for the link, which <see cref="Link"/> reports when it comes.
    /// </summary>
    private NicStatus BringUp(bool waitForLink)
    {
        _state->Running = false;
        TAccess configSpace = _host.ConfigSpace();
        NicStatus status;

        // 1. PCI command: memory space on, INTx only in interrupt mode; bus mastering stays as it
        //    is until the device has stopped mastering (step 3).
        ConfigurePciCommand(configSpace);
        // 2. PCIe master disable handshake (CTRL.GIO_MASTER_DISABLE, 8.2.1; bounded wait for
        //    STATUS.GIO_MASTER_ENABLE to clear), as Linux igb_disable_pcie_master before a reset.
        DisableMastering();
        // 3. Quiesce as Linux igb_reset_hw_82575 and DPDK do: every interrupt masked (IMC,
        //    8.8.10), RCTL 0 (8.10.1), TCTL PSP only, a flush, ResetDrainMicroseconds for the DMA
        //    in flight to drain; then PCI bus mastering off until the reset is done.
        Quiesce(configSpace);
        // 4. Global reset (CTRL.RST, 8.2.1): bounded wait for it to self-clear and for the NVM
        //    configuration cycle of this port (EEMNGCTL.CFG_DONE); interrupts masked and ICR
        //    cleared again.
        if ((status = GlobalReset()) != NicStatus.Ok) return status;
        // 5. The device is quiet and its rings forgotten: bus mastering on.
        PciFunction.EnableMemory(configSpace, busMaster: true);
        // 6. Link (copper; the datasheet's section for this step is not confirmed): CTRL.SLU with
        //    speed and duplex from the PHY (CTRL 8.2.1), CTRL_EXT.DRV_LOAD, and PHY
        //    auto-negotiation restarted through MDIC (8.2.4; BMCR 8.25.1).
        if ((status = SetUpLink()) != NicStatus.Ok) return status;
        // 7. Receive address filters: the station address in RAL0/RAH0, the other entries
        //    invalid, the multicast table from the driver's shadow.
        if ((status = ProgramAddressFilters()) != NicStatus.Ok) return status;
        // 8. Statistics (8.19): read once, which clears them.
        ClearStatistics();
        // 9. Receive initialisation (4.5.9): queue 0 (SRRCTL 8.10.2, RXDCTL 8.10.10), then RCTL.
        if ((status = StartReceive()) != NicStatus.Ok) return Fail(status, "igb: receive queue did not enable"u8);
        // 10. Transmit initialisation (4.5; subsection not confirmed): queue 0 (TXDCTL 8.12.13), then TCTL.
        if ((status = StartTransmit()) != NicStatus.Ok) return Fail(status, "igb: transmit queue did not enable"u8);
        // 11. Interrupt mode only: RXT0 and LSC unmasked, on vector 0 when the platform enabled
        //     MSI-X (IVAR 8.8.13, EIAC 8.8.5).
        EnableInterrupts();
        // 12. Wait, bounded, for STATUS.LU: a cable that is out is reported, not an error. Not on
        //     the data path's recoveries: Send and Receive must not block on the link.
        Igb.STATUS link = waitForLink ? WaitForLink() : _regs.STATUS.Read();

        _state->LinkUp = link.LU;
        _state->LastWatchdog = HostNow();
        _state->Running = true;
        LogLink(link);
        return NicStatus.Ok;
    }

    /// <summary>Step 1: PCI memory space on, INTx disabled unless in interrupt mode; bus mastering untouched.</summary>
    private void ConfigurePciCommand(TAccess configSpace)
    {
        var header = new PciConfig<TAccess>(configSpace);
        var command = header.Command.Read();
        command.MemorySpace = true;
        command.InterruptDisable = !_state->Options.InterruptMode;
        header.Command.Write(command);
    }

    /// <summary>
    /// Step 2: CTRL.GIO_MASTER_DISABLE and a bounded wait for STATUS.GIO_MASTER_ENABLE to clear
    /// (a timeout is logged, and the reset goes ahead anyway, as Linux does).
    /// </summary>
    private void DisableMastering()
    {
        THost host = _host;
        Igb.CTRL ctrl = _regs.CTRL.Read();
        ctrl.GIO_MASTER_DISABLE = true;
        _regs.CTRL.Write(ctrl);
        Deadline deadline = Deadline.After(ref host, MasterDisableTimeoutMicroseconds);
        while (_regs.STATUS.Read().GIO_MASTER_ENABLE)
        {
            if (deadline.Expired(ref host)) { Log("igb: PCIe master disable timed out; resetting anyway"u8); break; }
            host.Delay(100);
        }
    }

    /// <summary>
    /// Step 3: IMC all, RCTL 0, TCTL with PSP only (both units off), STATUS read to flush the
    /// writes, <see cref="ResetDrainMicroseconds"/> for the DMA in flight to finish, then PCI bus
    /// mastering off (after the master-disable handshake of step 2, never before).
    /// </summary>
    private void Quiesce(TAccess configSpace)
    {
        THost host = _host;
        _regs.IMC.Write(AllCauses);
        _regs.RCTL.Write(default);
        Igb.TCTL tctl = default;
        tctl.PSP = true;
        _regs.TCTL.Write(tctl);
        _regs.STATUS.Read();
        host.Delay(ResetDrainMicroseconds);
        PciFunction.EnableMemory(configSpace, busMaster: false);
    }

    /// <summary>
    /// Step 4: CTRL.RST, a bounded wait for it to self-clear (a Timeout otherwise), a bounded wait
    /// for this port's EEMNGCTL.CFG_DONE (<see cref="WaitForConfigDone"/>), then every interrupt
    /// masked and ICR cleared.
    /// </summary>
    private NicStatus GlobalReset()
    {
        THost host = _host;
        Igb.CTRL ctrl = _regs.CTRL.Read();
        ctrl.RST = true;
        _regs.CTRL.Write(ctrl);
        Deadline deadline = Deadline.After(ref host, ResetTimeoutMicroseconds);
        while (_regs.CTRL.Read().RST)
        {
            if (deadline.Expired(ref host)) return Fail(NicStatus.Timeout, "igb: CTRL.RST did not clear"u8);
            host.Delay(10);
        }
        WaitForConfigDone();
        _regs.IMC.Write(AllCauses);
        _regs.ICR.ReadAndClear();
        return NicStatus.Ok;
    }

    /// <summary>
    /// After a reset the NVM configuration cycle of this port sets EEMNGCTL.CFG_DONE0/1 (the port
    /// is STATUS.LAN_ID): the 82576 path of Linux (igb_get_cfg_done_82575) waits for it, in 1 ms
    /// steps, and goes on with a debug note if it never comes (EEPROM-less parts). EEC.AUTO_RD is
    /// not polled: QEMU sets neither bit, logs every EEC read, and a 10 us poll read it hundreds of
    /// times per reset.
    /// </summary>
    private void WaitForConfigDone()
    {
        THost host = _host;
        bool port1 = _regs.STATUS.Read().LAN_ID == 1;
        Deadline deadline = Deadline.After(ref host, ConfigDoneTimeoutMicroseconds);
        while (true)
        {
            Igb.EEMNGCTL mng = _regs.EEMNGCTL.Read();
            if (port1 ? mng.CFG_DONE1 : mng.CFG_DONE0) return;
            if (deadline.Expired(ref host))
            {
                Log("igb: NVM configuration cycle (EEMNGCTL.CFG_DONE) not reported; continuing"u8);
                return;
            }
            host.Delay(ConfigDonePollMicroseconds);
        }
    }

    /// <summary>
    /// Step 6: copper link. The MAC takes speed and duplex from the PHY (no forcing, no link or
    /// PHY reset held, no flow control), the driver announces itself (CTRL_EXT.DRV_LOAD) and the
    /// PHY restarts auto-negotiation (<see cref="RestartAutonegotiation"/>).
    /// </summary>
    private NicStatus SetUpLink()
    {
        Igb.CTRL ctrl = _regs.CTRL.Read();
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
        return NicStatus.Ok;
    }

    /// <summary>
    /// Step 7: the station address is learnt once (the first bring-up that finds one, or the one
    /// set in the options) and re-applied after every reset in RAL0/RAH0; the other receive
    /// address entries are made invalid and the MTA words written from the driver's shadow.
    /// </summary>
    private NicStatus ProgramAddressFilters()
    {
        IgbState* s = _state;
        if (!s->MacKnown)
        {
            if (s->Options.SetMac) s->Mac = s->Options.Mac.Bits;
            else
            {
                NicStatus status = ReadDeviceMac(out s->Mac);
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
        return NicStatus.Ok;
    }

    /// <summary>Step 8: the statistics registers clear on read; start from zero (a reset cleared them too).</summary>
    private void ClearStatistics()
    {
        IgbDeviceStats discard = default;
        ReadDeviceStats(ref discard);
    }

    /// <summary>
    /// Step 9, receive initialisation (datasheet 4.5.9): the queue's ring
    /// (<see cref="IgbRxRing.Start"/>), then the receive unit, RCTL (8.10.1): broadcast accepted, CRC stripped, 2048-byte
    /// BSIZE (SRRCTL.BSIZEPACKET overrides it per queue), multicast offset 0 (hash on address bits
    /// 47:36), no loopback, and finally EN. Long packets (RCTL.LPE) only for an MTU other than
    /// 1500, bounded by RLPML = MTU + 22 (header, one tag and the FCS; Linux igb_rlpml and
    /// igb_setup_rctl); with LPE off the MAC takes 1514 bytes untagged, 1518 tagged. RXCSUM
    /// (IPOFL, TUOFL) on only when the receive checksum offload was asked for.
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
        bool longPackets = s->Options.Mtu != EthernetFrames.StandardMtu;
        rctl.LPE = longPackets;
        rctl.MO = 0;
        rctl.LBM = RctlLoopback.None;
        rctl.UPE = s->Options.Promiscuous;
        rctl.MPE = s->Options.Promiscuous;
        Igb.RLPML rlpml = default;
        rlpml.RLPML_VAL = (uint)s->Options.MaxFrameLength + FcsLength;
        _regs.RLPML.Write(rlpml);
        Igb.RXCSUM rxcsum = default;
        rxcsum.IPOFL = (s->Offloads & NicOffloads.RxChecksum) != 0;
        rxcsum.TUOFL = rxcsum.IPOFL;
        _regs.RXCSUM.Write(rxcsum);
        _regs.RCTL.Write(rctl);
        rctl.EN = true;
        _regs.RCTL.Write(rctl);
        return NicStatus.Ok;
    }

    /// <summary>Bytes of the Ethernet FCS, which RLPML counts.</summary>
    private const uint FcsLength = 4;

    /// <summary>
    /// Step 10, transmit initialisation (datasheet 4.5; the subsection number is not confirmed):
    /// the queue's ring (<see cref="IgbTxRing.Start"/>), then the transmit unit, TCTL: pad short packets, collision threshold
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

    /// <summary>
    /// Step 11: ICR cleared; in interrupt mode the causes for received frames and link changes
    /// (RXT0, LSC) unmasked, on the INTx line or, when the platform enabled MSI-X, on vector 0
    /// (<see cref="RouteToMsixVector0"/>).
    /// </summary>
    private void EnableInterrupts()
    {
        THost host = _host;
        _regs.ICR.ReadAndClear();
        if (_state->Options.InterruptMode)
        {
            if (host.InterruptVectors > 0) RouteToMsixVector0();
            _regs.IMS.Set(InterruptCause.RXT0 | InterruptCause.LSC);
        }
    }

    /// <summary>Step 12: waits, at most <see cref="IgbOptions.LinkWaitMicroseconds"/>, for auto-negotiation to bring STATUS.LU up; returns STATUS as last read.</summary>
    private Igb.STATUS WaitForLink()
    {
        THost host = _host;
        Deadline deadline = Deadline.After(ref host, _state->Options.LinkWaitMicroseconds);
        while (!_regs.STATUS.Read().LU && !deadline.Expired(ref host)) host.Delay(1000);
        return _regs.STATUS.Read();
    }
}
