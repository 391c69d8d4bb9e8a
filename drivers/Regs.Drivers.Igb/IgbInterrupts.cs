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

// Interrupts: MSI-X routing and the ICR causes.

public readonly unsafe partial struct IgbNic<TAccess, THost>
{
    /// <summary>
    /// MSI-X mode (registers GPIE, IVAR 8.8.13, IVAR_MISC, EIAC 8.8.5, EIMS; the number of the
    /// datasheet's MSI-X section is not confirmed): EICR bits become vectors; receive queue 0 and
    /// the other causes (ICR, where LSC is) both go to vector 0, which clears itself when its
    /// message is sent (EIAC); ICR still clears on read (GPIE.NSICR).
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

    /// <inheritdoc/>
    /// <remarks>
    /// RXT0 and LSC stay unmasked in IMS from bring-up on, so arming means: read ICR (clearing
    /// stale causes, which also lowers an INTx line), then let the platform re-enable delivery and
    /// drop stale signals (VFIO unmasks INTx, the eventfd count is read), again while that finds
    /// one, and only then look at the next descriptor's DD (the Linux igb pattern: enable, then
    /// re-check the ring), so a frame written back before the arm is seen here and one after
    /// it raises the interrupt.
    /// </remarks>
    public bool ArmInterrupt()
    {
        if (!IsInitialised || !_state->Options.InterruptMode) return false;
        THost host = _host;
        for (int round = 0; round < 4; round++)
        {
            HandleInterrupt(out _);
            if (!IsInitialised) return false;
            if (!host.WaitForInterrupt(0)) break;
        }
        return !_state->Rx.HasPacket();
    }

    /// <inheritdoc/>
    /// <remarks>Reads the eventfd (without waiting) and ICR and acts on the causes; when nothing is there to receive the idle path's watchdog runs, as after a <see cref="WaitForReceive"/> that timed out.</remarks>
    public bool AcknowledgeInterrupt()
    {
        if (!IsInitialised) return false;
        THost host = _host;
        host.WaitForInterrupt(0);
        HandleInterrupt(out _);
        if (!IsInitialised) return false;
        return IdleCheck();
    }

    private static Igb.IMC AllCauses => new Igb.IMC(uint.MaxValue);
}
