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
/// advanced descriptors, polling or legacy (INTx) interrupts. This file holds initialisation's
/// entry point, the data path (datasheet 7.1 receive, 7.2 transmit) and statistics. The rest of
/// the struct, one concern per file: IgbBringUp.cs (the initialisation sequence, datasheet 4.5),
/// IgbLink.cs (PHY and link, <see cref="Link"/>), IgbAddresses.cs (receive address filters,
/// <see cref="SetMac"/>), IgbInterrupts.cs, IgbRecovery.cs (<see cref="Reset"/>, watchdog and
/// recovery), IgbState.cs (what lives in private memory); the rings are <see cref="IgbRxRing"/>
/// and <see cref="IgbTxRing"/>.
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
public readonly unsafe partial struct IgbNic<TAccess, THost> : INic
    where TAccess : struct, IRegisterAccess<TAccess>
    where THost : struct, IDriverHost, IPciHost<TAccess>
{
    /// <summary>Microseconds CTRL.RST may take to self-clear.</summary>
    public const uint ResetTimeoutMicroseconds = 100_000;
    /// <summary>
    /// Microseconds to wait for EEMNGCTL.CFG_DONE after a reset. Linux allows 100 polls 1-2 ms
    /// apart (PHY_CFG_TIMEOUT) and goes on without it; QEMU never sets it, so every reset there
    /// waits the whole bound: this driver uses 10 ms, the bound Linux gives EEC.AUTO_RD
    /// (AUTO_READ_DONE_TIMEOUT).
    /// </summary>
    public const uint ConfigDoneTimeoutMicroseconds = 10_000;
    /// <summary>Delay between two EEMNGCTL reads while waiting for CFG_DONE (Linux: 1-2 ms).</summary>
    public const uint ConfigDonePollMicroseconds = 1_000;
    /// <summary>Microseconds between stopping the units and CTRL.RST, for the DMA in flight to drain (Linux igb_reset_hw_82575: 10-20 ms).</summary>
    public const uint ResetDrainMicroseconds = 10_000;
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

    /// <inheritdoc/>
    public int MaxFrameLength => _state == null ? IgbTxRing.MaxStandardFrameLength : _state->Tx.MaxFrameLength;

    /// <inheritdoc/>
    public NicOffloads Offloads => _state == null ? NicOffloads.None : _state->Offloads;

    // =====================================================================================
    // Initialisation (datasheet 4.5; the sequence itself is BringUp, in IgbBringUp.cs)
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
        if (!host.TryMapBar(0, out TAccess bar0, out _)) return NicStatus.NotFound;

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
        // The offloads asked for that this driver and the 82576 have (checksums: datasheet 7.1.5.2
        // receive, 7.2.2.x transmit; TCP segmentation: 7.2.4).
        state->Offloads = options.Offloads & IgbOptions.SupportedOffloads;
        state->Rx.MaxFrameLength = options.MaxFrameLength;
        state->Rx.ReportChecksums = (state->Offloads & NicOffloads.RxChecksum) != 0;
        state->Tx.MaxFrameLength = options.MaxFrameLength;
        state->Tx.Offloads = state->Offloads;
        status = nic.BringUp(waitForLink: true);
        if (status == NicStatus.Ok) state->LastError = NicStatus.Ok;
        return status;
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
        int consumed = s->Tx.Send(_regs, in batch, ref s->Stats);
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
            batch.Clear();
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

        // Interrupt mode (legacy INTx): sleep on the line, then read ICR, which clears it
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

    private ulong HostNow()
    {
        THost host = _host;
        return host.NowMicroseconds();
    }

    private void Log(ReadOnlySpan<byte> message)
    {
        THost host = _host;
        host.Log(message);
    }
}
