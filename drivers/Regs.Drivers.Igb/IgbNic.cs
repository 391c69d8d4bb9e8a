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

/// <summary>
/// Driver for the Intel 82576 (igb) physical function: one receive and one transmit queue with
/// advanced descriptors, polling or legacy (INTx) interrupts. Read top to bottom: initialisation
/// (datasheet 4.5), then the data path (7.1 receive, 7.2 transmit), then link, statistics,
/// interrupts (7.3), the reset path and the watchdog.
/// </summary>
/// <remarks>
/// The value is a handle: everything that changes lives in memory from
/// <see cref="IDriverHost.AllocatePrivate"/>, so copies of it drive the same NIC. Errors are
/// values (<see cref="NicStatus"/>); every wait is bounded on the host's clock; registers are
/// reached only through the accessors generated from defs/igb. The device is not trusted: a
/// write-back that cannot be true, a queue that stops, a device reset behind the driver or a
/// reset that does not finish is counted, reported in <see cref="LastError"/> and answered by a
/// reset with the memory allocated at start-up; the checks that need register reads run only on
/// slow paths (see <see cref="Watchdog"/>), so the data path costs what it did.
/// </remarks>
public readonly unsafe struct IgbNic<TAccess, THost> : INic
    where TAccess : struct, IRegisterAccess<TAccess>
    where THost : struct, IDriverHost, IPciHost<TAccess>
{
    /// <summary>Microseconds CTRL.RST may take to self-clear.</summary>
    public const uint ResetTimeoutMicroseconds = 100_000;
    /// <summary>Microseconds to wait for EEC.AUTO_RD (the post-reset EEPROM load) after a reset.</summary>
    public const uint AutoReadTimeoutMicroseconds = 10_000;
    /// <summary>Microseconds to wait for STATUS.GIO_MASTER_ENABLE to clear before a reset (Linux: 800 x 100 us).</summary>
    public const uint MasterDisableTimeoutMicroseconds = 80_000;
    /// <summary>Delay between polls in <see cref="WaitForReceive"/> without interrupts.</summary>
    public const uint PollIntervalMicroseconds = 50;

    private readonly THost _host;
    private readonly Igb<TAccess> _regs;
    private readonly IgbState* _state;

    private IgbNic(THost host, Igb<TAccess> regs, IgbState* state)
    {
        _host = host;
        _regs = regs;
        _state = state;
    }

    /// <summary>The register block (BAR0), for diagnostics.</summary>
    public Igb<TAccess> Registers => _regs;

    /// <summary>True once initialisation (or the last reset) completed.</summary>
    public bool IsInitialised => _state != null && _state->Running;

    /// <inheritdoc/>
    public NicStatus LastError => _state == null ? NicStatus.NotInitialised : _state->LastError;

    /// <inheritdoc/>
    public MacAddress Mac => _state == null ? default : new MacAddress(_state->Mac);

    // =====================================================================================
    // Initialisation (datasheet 4.5)
    // =====================================================================================

    /// <summary>
    /// Finds the 82576 behind <paramref name="host"/>, allocates the driver's memory and rings,
    /// and brings the device up (<see cref="BringUp"/>). A link that stays down is not an error:
    /// <see cref="Link"/> reports it. On failure <paramref name="nic"/> still reports
    /// <see cref="LastError"/> when the state could be allocated.
    /// </summary>
    public static NicStatus Initialise(THost host, IgbOptions options, out IgbNic<TAccess, THost> nic)
    {
        nic = default;
        options = options.WithDefaults();
        if (!options.IsValid()) return NicStatus.Unsupported;
        if (options.SetMac && (options.Mac.IsMulticast || options.Mac.Bits == 0)) return NicStatus.Unsupported;

        // Is this an 82576 at all? (PCI header: vendor and device ID.)
        var header = new PciConfig<TAccess>(host.ConfigSpace());
        if (header.VendorID.Read().Bits != Igb.VendorId || header.DeviceID.Read().Bits != Igb.DeviceId82576)
            return NicStatus.NotFound;
        if (!host.TryMapBar(0, out TAccess bar0)) return NicStatus.NotFound;

        IgbState* state = (IgbState*)host.AllocatePrivate((nuint)sizeof(IgbState));
        if (state == null) return NicStatus.OutOfMemory;
        state->Options = options;
        state->LastError = NicStatus.NotInitialised;
        nic = new IgbNic<TAccess, THost>(host, new Igb<TAccess>(bar0), state);

        NicStatus status = IgbRxRing.Allocate(ref host, options.RxRingSize, options.RxBufferSize, out state->Rx);
        if (status == NicStatus.Ok) status = IgbTxRing.Allocate(ref host, options.TxRingSize, out state->Tx);
        if (status != NicStatus.Ok)
        {
            state->LastError = status;
            return status;
        }
        status = nic.BringUp();
        if (status == NicStatus.Ok) state->LastError = NicStatus.Ok;
        return status;
    }

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
    /// Restarts auto-negotiation on the internal PHY (IEEE 802.3 clause 22 BMCR, reached through
    /// MDIC at PHY address 1, datasheet 8.2 MDIC): read BMCR, set AN_ENABLE and RESTART_AN, make
    /// sure the PHY is neither powered down nor isolated, write it back.
    /// </summary>
    private NicStatus RestartAutonegotiation()
    {
        var phy = _regs.Phy;
        IndirectStatus io = phy.BMCR.Read(out IgbPhy.BMCR bmcr);
        if (io != IndirectStatus.Ok) return FromIndirect(io);
        bmcr.AN_ENABLE = true;
        bmcr.RESTART_AN = true;
        bmcr.POWER_DOWN = false;
        bmcr.ISOLATE = false;
        bmcr.LOOPBACK = false;
        return FromIndirect(phy.BMCR.Write(bmcr));
    }

    private static NicStatus FromIndirect(IndirectStatus io)
        => io == IndirectStatus.Ok ? NicStatus.Ok : io == IndirectStatus.Timeout ? NicStatus.Timeout : NicStatus.DeviceError;

    /// <summary>
    /// The address the device came up with: RAL0/RAH0 when RAH0.AV is set (the device loads them
    /// from the EEPROM after reset), otherwise EEPROM words 0-2 read through EERD (a read that never
    /// reports DONE is a Timeout). NotFound when neither holds a station address.
    /// </summary>
    private NicStatus ReadDeviceMac(out ulong mac)
    {
        Igb.RAH rah = _regs.RAH(0).Read();
        mac = _regs.RAL(0).Read().Bits | (ulong)rah.RAH_ADDR << 32;
        if (rah.AV && IsStationAddress(mac)) return NicStatus.Ok;

        mac = 0;
        var eeprom = _regs.Eeprom;
        for (uint word = 0; word < 3; word++)
        {
            IndirectStatus io = eeprom.MAC_ADDR(word).Read(out U16 value);
            if (io != IndirectStatus.Ok) return FromIndirect(io);
            mac |= (ulong)value.Bits << (int)(16 * word);
        }
        return IsStationAddress(mac) ? NicStatus.Ok : NicStatus.NotFound;
    }

    private static bool IsStationAddress(ulong mac) => mac != 0 && !new MacAddress(mac).IsMulticast;

    /// <summary>Receive address entry <paramref name="index"/>: RAL first, then RAH with AV (datasheet 8.10, RAL/RAH).</summary>
    private void WriteReceiveAddress(uint index, ulong mac)
    {
        _regs.RAL(index).Write((uint)mac);
        Igb.RAH rah = default;
        rah.RAH_ADDR = (uint)(mac >> 32);
        rah.AV = true;
        _regs.RAH(index).Write(rah);
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

    // =====================================================================================
    // Data path (datasheet 7.1 receive, 7.2 transmit)
    // =====================================================================================

    // Not inlined into the caller, so the ring code inlines into it (see VirtioNet.Send).
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public int Send(in FrameBatch batch)
    {
        if (!IsInitialised)
        {
            RetryBringUp();
            return 0;
        }
        IgbState* s = _state;
        uint reclaimed = s->Tx.Reclaim(ref s->Stats);
        int consumed = s->Tx.Send(_regs, in batch, ref s->Device);
        // A full ring that gave nothing back: the stuck path, where the watchdog may look.
        if (consumed < batch.Count && s->Tx.Free == 0 && reclaimed == 0) Watchdog(false);
        return consumed;
    }

    // Not inlined into the caller, so the ring code inlines into it (see VirtioNet.Send).
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public int Receive(ref FrameBatch batch)
    {
        if (!IsInitialised)
        {
            batch.Count = 0;
            RetryBringUp();
            return 0;
        }
        IgbState* s = _state;
        bool deviceFault = false;
        int count = s->Rx.Receive(_regs, ref batch, ref s->Stats, ref s->Device, ref deviceFault);
        if (deviceFault) Recover(NicStatus.DeviceError, "igb: impossible receive write-back; resetting"u8);
        return count;
    }

    /// <inheritdoc/>
    public bool WaitForReceive(uint timeoutMicroseconds)
    {
        THost host = _host;
        if (!IsInitialised)
        {
            // Down after a failed reset: try again (rate-limited), otherwise just let the time pass.
            RetryBringUp();
            if (!IsInitialised)
            {
                if (_state != null) host.Delay(timeoutMicroseconds);
                return false;
            }
        }
        IgbState* s = _state;
        if (s->Rx.HasPacket()) return true;
        Deadline deadline = Deadline.After(ref host, timeoutMicroseconds);

        if (!s->Options.InterruptMode)
        {
            // Polling: the next descriptor's DD, and STATUS.LU for link changes.
            while (true)
            {
                if (s->Rx.HasPacket()) return true;
                if (PollLink())
                {
                    // A link that went away may be a device reset under the driver: look at once.
                    if (!s->LinkUp) Watchdog(true);
                    return IsInitialised && s->Rx.HasPacket();
                }
                uint left = deadline.Remaining(ref host);
                if (left == 0) return IdleCheck();
                host.Delay(left < PollIntervalMicroseconds ? left : PollIntervalMicroseconds);
            }
        }

        // Interrupt mode (7.3, legacy INTx): sleep on the line, then read ICR, which clears it
        // and lowers the line, and act on the causes.
        while (true)
        {
            uint left = deadline.Remaining(ref host);
            if (left == 0) return IdleCheck();
            if (host.WaitForInterrupt(left))
            {
                bool linkChanged = HandleInterrupt(out bool any);
                if (!IsInitialised) return false;
                if (s->Rx.HasPacket()) return true;
                if (linkChanged) return false;
                if (!any) host.Delay(PollIntervalMicroseconds);
            }
            else if (s->Rx.HasPacket()) return true;
        }
    }

    /// <summary>A wait that ended with nothing to receive: the idle path, where the watchdog may look.</summary>
    private bool IdleCheck()
    {
        if (_state->Rx.HasPacket()) return true;
        Watchdog(false);
        return IsInitialised && _state->Rx.HasPacket();
    }

    /// <summary>
    /// MSI-X mode (datasheet 7.3, "MSI-X mode"; registers GPIE, IVAR, IVAR_MISC, EIAC, EIMS):
    /// EICR bits become vectors; receive queue 0 and the other causes (ICR, where LSC is) both go
    /// to vector 0, which clears itself when its message is sent (EIAC); ICR still clears on read
    /// (GPIE.NSICR).
    /// </summary>
    private void RouteToMsixVector0()
    {
        var gpie = _regs.GPIE.Read();
        gpie.MULTIPLE_MSIX = true;
        gpie.PBA_SUPPORT = true;
        gpie.NSICR = true;
        _regs.GPIE.Write(gpie);
        var queues = new Igb.IVAR { INT_ALLOC_RX = 0, ITR_VALID_RX = true };
        _regs.IVAR(0).Write(queues);
        var other = new Igb.IVAR_MISC { INT_ALLOC_OTHER = 0, ITR_VALID_OTHER = true };
        _regs.IVAR_MISC.Write(other);
        _regs.EIAC.Write(MsixVectors.Vector0);
        _regs.EIMS.Set(MsixVectors.Vector0);
    }

    /// <summary>
    /// Reads ICR (read-to-clear) and acts on it: LSC re-reads the link, DRSTA (someone reset the
    /// device) and FER (fatal error) reset and re-initialise it. Returns true when the link changed;
    /// <paramref name="any"/> tells whether ICR held any cause.
    /// </summary>
    private bool HandleInterrupt(out bool any)
    {
        IgbState* s = _state;
        InterruptCause causes = _regs.ICR.ReadAndClear().Value;
        any = causes != 0;
        if (!any) return false;
        s->Stats.Interrupts++;
        if ((causes & (InterruptCause.DRSTA | InterruptCause.FER)) != 0)
        {
            s->Stats.DeviceErrors++;
            Recover(NicStatus.DeviceError, "igb: device reset or fatal error interrupt; re-initialising"u8);
            return true;
        }
        if ((causes & InterruptCause.LSC) == 0 || !PollLink()) return false;
        // A link that went away may be a device reset under the driver: look at once.
        if (!s->LinkUp) Watchdog(true);
        return true;
    }

    // =====================================================================================
    // Link, addresses and statistics
    // =====================================================================================

    /// <inheritdoc/>
    public LinkState Link()
    {
        if (_state == null) return default;
        Igb.STATUS status = _regs.STATUS.Read();
        NoteLink(status.LU);
        if (!status.LU) return new LinkState(false, 0, false);
        uint speed = status.SPEED == LinkSpeed.Mbps1000 ? 1000u : status.SPEED == LinkSpeed.Mbps100 ? 100u : 10u;
        return new LinkState(true, speed, status.FD);
    }

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

    /// <summary>
    /// Makes <paramref name="mac"/> the station address (RAL0/RAH0 with AV); it survives
    /// <see cref="Reset"/>. Unsupported for group addresses and zero.
    /// </summary>
    public NicStatus SetMac(MacAddress mac)
    {
        if (_state == null) return NicStatus.NotInitialised;
        if (mac.IsMulticast || mac.Bits == 0) return NicStatus.Unsupported;
        _state->Mac = mac.Bits;
        WriteReceiveAddress(0, mac.Bits);
        return NicStatus.Ok;
    }

    /// <summary>
    /// Accepts frames sent to the multicast group <paramref name="group"/> through the multicast
    /// table (datasheet 8.10.12, RCTL.MO = 0): the hash is destination address bits 47:36, its
    /// upper 7 bits select the MTA word and its lower 5 bits the bit. The table is shadowed in
    /// private memory so it survives <see cref="Reset"/>. Unsupported for unicast addresses.
    /// </summary>
    public NicStatus AddMulticast(MacAddress group)
    {
        if (_state == null) return NicStatus.NotInitialised;
        if (!group.IsMulticast) return NicStatus.Unsupported;
        uint hash = MulticastHash(group);
        uint word = hash / 32;
        uint bit = hash % 32;
        int slot = (int)(word % Igb.MTACount);
        _state->Mta[slot] |= 1u << (int)bit;
        _regs.MTA(word).Write(_state->Mta[slot]);
        return NicStatus.Ok;
    }

    /// <summary>The 12-bit multicast table index of <paramref name="address"/> with RCTL.MO = 0: address bits 47:36 (datasheet 8.10.12).</summary>
    public static uint MulticastHash(MacAddress address) => (uint)(address.Bits >> MulticastHashShift) % (Igb.MTACount * 32);

    /// <summary>First address bit of the multicast hash with RCTL.MO = 0.</summary>
    public const int MulticastHashShift = 36;

    /// <inheritdoc/>
    public NicStats Stats()
    {
        if (_state == null) return default;
        IgbState* s = _state;
        ReadDeviceStats(ref s->Device);
        NicStats stats = s->Stats;
        stats.RxMissed = s->Device.MissedPackets;
        return stats;
    }

    /// <summary>The device's statistics registers accumulated since initialisation, and the driver's extra counts.</summary>
    public IgbDeviceStats DeviceStats()
    {
        if (_state == null) return default;
        ReadDeviceStats(ref _state->Device);
        return _state->Device;
    }

    /// <summary>Adds the read-to-clear statistics registers (datasheet 8.19) to <paramref name="d"/>.</summary>
    private void ReadDeviceStats(ref IgbDeviceStats d)
    {
        d.GoodPacketsReceived += _regs.GPRC.ReadAndClear().Bits;
        d.GoodPacketsSent += _regs.GPTC.ReadAndClear().Bits;
        d.GoodOctetsReceived += _regs.GORC.ReadAndClear().Bits;
        d.GoodOctetsSent += _regs.GOTC.ReadAndClear().Bits;
        d.MissedPackets += _regs.MPC.ReadAndClear().Bits;
        d.NoBufferPackets += _regs.RNBC.ReadAndClear().Bits;
        d.BroadcastReceived += _regs.BPRC.ReadAndClear().Bits;
        d.MulticastReceived += _regs.MPRC.ReadAndClear().Bits;
        d.CrcErrors += _regs.CRCERRS.ReadAndClear().Bits;
        d.LengthErrors += _regs.RLEC.ReadAndClear().Bits;
    }

    // =====================================================================================
    // Errors and reset
    // =====================================================================================

    /// <summary>
    /// Resets the device and initialises it again with the memory, options, station address and
    /// multicast table it had; frames in flight are lost, counters are kept (the device's are
    /// collected first). Success clears <see cref="LastError"/>. The watchdog uses the same path
    /// to recover from a fault.
    /// </summary>
    public NicStatus Reset()
    {
        if (_state == null) return NicStatus.NotInitialised;
        NicStatus status = ResetDevice();
        if (status == NicStatus.Ok) _state->LastError = NicStatus.Ok;
        return status;
    }

    private NicStatus ResetDevice()
    {
        IgbState* s = _state;
        if (s->Rx.Size == 0 || s->Tx.Size == 0) return NicStatus.NotInitialised;
        if (s->Running) ReadDeviceStats(ref s->Device);
        s->Device.Resets++;
        return BringUp();
    }

    // =====================================================================================
    // Watchdog and recovery (the slow paths only; compare Linux igb_watchdog_task and
    // igb_clean_tx_irq's hang check)
    // =====================================================================================

    /// <summary>
    /// Health check, run only on slow paths and at most once per
    /// <see cref="IgbOptions.WatchdogIntervalMicroseconds"/> unless <paramref name="now"/>
    /// (a link that just went down). In order:
    /// <list type="number">
    /// <item>RCTL.EN or TCTL.EN clear: only a reset clears them, and this driver did not ask for
    /// one, so the device was reset under it (its registers are back at their defaults): DeviceError.</item>
    /// <item>RDH or TDH at or beyond the ring (8.10.x/8.12.x: heads index RDLEN/TDLEN): the device's
    /// queue state is corrupt: a protocol error, DeviceError.</item>
    /// <item>With the link up (no hang check without a link, as Linux): transmit descriptors pending
    /// and none completed (unless paused by XOFF), or the device's RDH past the driver's next
    /// descriptor without DD on it, for <see cref="IgbOptions.HangMicroseconds"/>: a hang, Timeout.
    /// Detection latency: the hang limit plus at most one watchdog interval after the first
    /// slow-path call that sees the stall.</item>
    /// </list>
    /// Each ends in a reset (<see cref="Recover"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]   // a slow path: kept out of Send/Receive
    private void Watchdog(bool now)
    {
        THost host = _host;
        IgbState* s = _state;
        ulong time = host.NowMicroseconds();
        if (!now && time - s->LastWatchdog < s->Options.WatchdogIntervalMicroseconds) return;
        s->LastWatchdog = time;

        if (!_regs.RCTL.Read().EN || !_regs.TCTL.Read().EN)
        {
            s->Stats.DeviceErrors++;
            Recover(NicStatus.DeviceError, "igb: receive or transmit unit found disabled: device reset under the driver; re-initialising"u8);
            return;
        }
        uint rdh = _regs.RxQueue(0).RDH.Read().Bits;
        uint tdh = _regs.TxQueue(0).TDH.Read().Bits;
        if (rdh >= s->Rx.Size || tdh >= s->Tx.Size)
        {
            s->Stats.ProtocolErrors++;
            Recover(NicStatus.DeviceError, "igb: queue head beyond its ring; resetting"u8);
            return;
        }

        Igb.STATUS status = _regs.STATUS.Read();
        NoteLink(status.LU);
        s->Tx.Reclaim(ref s->Stats);
        // A transmitter paused by the partner's XOFF (STATUS.TXOFF) is waiting, not hung (as Linux).
        bool txStuck = s->LinkUp && !status.TXOFF && s->Tx.InFlight != 0 && s->Stats.TxFrames == s->Tx.WatchedCompletions;
        s->Tx.WatchedCompletions = s->Stats.TxFrames;
        bool rxStuck = s->LinkUp && rdh != s->Rx.Next && !s->Rx.HasPacket();
        bool txHang = Stalled(ref s->Tx.StalledSince, txStuck, time);
        bool rxHang = Stalled(ref s->Rx.StalledSince, rxStuck, time);
        if (txHang || rxHang)
        {
            s->Stats.Timeouts++;
            Recover(NicStatus.Timeout, txHang ? "igb: transmit hang; resetting"u8 : "igb: receive hang (descriptor passed without DD); resetting"u8);
        }
    }

    /// <summary>Tracks one stall: true once <paramref name="stuck"/> has held for the hang limit.</summary>
    private bool Stalled(ref ulong since, bool stuck, ulong time)
    {
        if (!stuck)
        {
            since = 0;
            return false;
        }
        if (since == 0)
        {
            since = time == 0 ? 1 : time;
            return false;
        }
        return time - since >= _state->Options.HangMicroseconds;
    }

    /// <summary>
    /// Recovery from a fault already counted: log, reset with the memory and settings kept
    /// (<see cref="IgbNic{TAccess, THost}.Reset"/>'s path, counted in <see cref="NicStats.Recoveries"/>)
    /// and record <paramref name="status"/>, or the reset's own failure, as the last error. A
    /// device the reset could not bring up stays stopped; <see cref="RetryBringUp"/> tries again.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]   // a slow path: kept out of Send/Receive
    private void Recover(NicStatus status, ReadOnlySpan<byte> message)
    {
        IgbState* s = _state;
        Log(message);
        s->Stats.Recoveries++;
        NicStatus reset = ResetDevice();
        s->LastError = reset == NicStatus.Ok ? status : reset;
    }

    /// <summary>
    /// A device left stopped by a failed bring-up (a reset that never completed, a PHY that did not
    /// answer) is reset again, at most once per watchdog interval; the last error stays as it was
    /// until an application <see cref="Reset"/> succeeds.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]   // a slow path: kept out of Send/Receive
    private void RetryBringUp()
    {
        IgbState* s = _state;
        if (s == null || s->Rx.Size == 0 || s->Tx.Size == 0) return;
        THost host = _host;
        ulong time = host.NowMicroseconds();
        if (time - s->LastWatchdog < s->Options.WatchdogIntervalMicroseconds) return;
        s->LastWatchdog = time;
        NicStatus last = s->LastError;
        s->Stats.Recoveries++;
        if (ResetDevice() == NicStatus.Ok) s->LastError = last;
    }

    /// <summary>
    /// Records a failed bring-up, counted as a timeout or a device error: the device stays stopped
    /// (<see cref="RetryBringUp"/> tries again later).
    /// </summary>
    private NicStatus Fail(NicStatus status, ReadOnlySpan<byte> message)
    {
        IgbState* s = _state;
        s->LastError = status;
        s->Running = false;
        s->LastWatchdog = HostNow();
        if (status == NicStatus.Timeout) s->Stats.Timeouts++;
        else s->Stats.DeviceErrors++;
        Log(message);
        return status;
    }

    private ulong HostNow()
    {
        THost host = _host;
        return host.NowMicroseconds();
    }

    private static Igb.IMC AllCauses => new Igb.IMC(uint.MaxValue);

    private void Log(ReadOnlySpan<byte> message)
    {
        THost host = _host;
        host.Log(message);
    }

    private void LogLink(Igb.STATUS status)
    {
        Span<byte> buffer = stackalloc byte[96];
        var line = new LogLine(buffer);
        line.Add("igb: up, mac "u8);
        Span<byte> text = stackalloc byte[17];
        Mac.Format(text);
        line.Add(text);
        if (status.LU)
        {
            line.Add(", link up "u8);
            line.Dec(status.SPEED == LinkSpeed.Mbps1000 ? 1000u : status.SPEED == LinkSpeed.Mbps100 ? 100u : 10u);
            line.Add(status.FD ? " Mb/s full duplex"u8 : " Mb/s half duplex"u8);
        }
        else line.Add(", link down"u8);
        THost host = _host;
        host.Log(line.Text);
    }
}

/// <summary>The driver's mutable state, in private memory so every copy of the handle shares it.</summary>
internal unsafe struct IgbState
{
    public IgbOptions Options;
    public IgbRxRing Rx;
    public IgbTxRing Tx;
    public NicStats Stats;
    public IgbDeviceStats Device;
    public ulong Mac;
    /// <summary>True once <see cref="Mac"/> holds the station address (learnt or set).</summary>
    public bool MacKnown;
    public NicStatus LastError;
    public bool LinkUp;
    public bool Running;
    /// <summary>Host time of the last health check or bring-up attempt (rate limit).</summary>
    public ulong LastWatchdog;
    /// <summary>Shadow of the 128 MTA words (re-programmed after a reset).</summary>
    public fixed uint Mta[(int)Igb.MTACount];
}
