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

// Errors, reset, watchdog and recovery (slow paths only).

public readonly unsafe partial struct IgbNic<TAccess, THost>
{
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
        NicStatus status = ResetDevice(waitForLink: true);
        if (status == NicStatus.Ok) _state->LastError = NicStatus.Ok;
        return status;
    }

    /// <summary>The reset path; <paramref name="waitForLink"/> is false on the data path's recoveries, which must not block on the link.</summary>
    private NicStatus ResetDevice(bool waitForLink)
    {
        IgbState* s = _state;
        if (s->Rx.Size == 0 || s->Tx.Size == 0) return NicStatus.NotInitialised;
        if (s->Running) ReadDeviceStats(ref s->Device);
        s->Device.Resets++;
        return BringUp(waitForLink);
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
    /// <item>RDH or TDH at or beyond the ring (8.10 / 8.12: heads index RDLEN/TDLEN): the device's
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
        NicStatus reset = ResetDevice(waitForLink: false);
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
        if (ResetDevice(waitForLink: false) == NicStatus.Ok) s->LastError = last;
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
}
