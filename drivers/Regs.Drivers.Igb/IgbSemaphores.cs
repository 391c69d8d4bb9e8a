using System;
using Regs.Igb;
using Regs.Nic;
using Regs.Runtime;

namespace Regs.Drivers.Igb;

// The register block, not this namespace.
using Igb = global::Regs.Igb.Igb;

// Resources shared with the manageability firmware (and the other port's driver): the PHY and
// the NVM. SW_FW_SYNC says who owns each; SWSM's two bits guard SW_FW_SYNC itself. The order,
// the bits and the bounds follow Linux igb (igb_acquire_swfw_sync_82575, igb_get_hw_semaphore);
// the registers' datasheet sections are not confirmed.

public readonly unsafe partial struct IgbNic<TAccess, THost>
{
    /// <summary>
    /// Bound on taking SWSM.SMBI and then SWSM.SWESMBI, in microseconds. Linux polls each (NVM
    /// words + 1) times 50 us apart (13 ms for a 256-word EEPROM); 50 ms covers 1,024 words.
    /// </summary>
    public const uint SemaphoreTimeoutMicroseconds = 50_000;
    /// <summary>Delay between SWSM polls (Linux: 50 us).</summary>
    public const uint SemaphorePollMicroseconds = 50;
    /// <summary>Bound on waiting for a SW_FW_SYNC resource another owner holds (Linux: 200 tries 5 ms apart).</summary>
    public const uint ResourceTimeoutMicroseconds = 1_000_000;
    /// <summary>Delay between SW_FW_SYNC tries (Linux: 5 ms).</summary>
    public const uint ResourcePollMicroseconds = 5_000;

    /// <summary>SW_FW_SYNC bit of the EEPROM (software side; the firmware's is 16 above).</summary>
    private static uint EepromResource
    {
        get { Igb.SW_FW_SYNC m = default; m.SW_EEP_SM = true; return m.Bits; }
    }

    /// <summary>SW_FW_SYNC bit of this port's PHY (STATUS.LAN_ID: port 0 or 1, as Linux igb_acquire_phy_82575).</summary>
    private uint PhyResource()
    {
        Igb.SW_FW_SYNC m = default;
        if (_regs.STATUS.Read().LAN_ID == 1) m.SW_PHY_SM1 = true;
        else m.SW_PHY_SM0 = true;
        return m.Bits;
    }

    /// <summary>
    /// Takes the SW_FW_SYNC resource <paramref name="mask"/> (software bits): under the SWSM
    /// semaphore, free when neither its software bit nor the firmware's (16 above) is set; otherwise
    /// the semaphore is let go and the driver tries again 5 ms later, for at most
    /// <see cref="ResourceTimeoutMicroseconds"/>. Timeout when it never comes free.
    /// </summary>
    private NicStatus AcquireResource(uint mask)
    {
        THost host = _host;
        uint both = mask | mask << 16;
        Deadline deadline = Deadline.After(ref host, ResourceTimeoutMicroseconds);
        while (true)
        {
            NicStatus status = AcquireHardwareSemaphore();
            if (status != NicStatus.Ok) return status;
            uint sync = _regs.SW_FW_SYNC.Read().Bits;
            if ((sync & both) == 0)
            {
                _regs.SW_FW_SYNC.Write(new Igb.SW_FW_SYNC(sync | mask));
                ReleaseHardwareSemaphore();
                return NicStatus.Ok;
            }
            ReleaseHardwareSemaphore();
            if (deadline.Expired(ref host))
            {
                Log("igb: SW_FW_SYNC resource held by the firmware or another driver; giving up"u8);
                return NicStatus.Timeout;
            }
            host.Delay(ResourcePollMicroseconds);
        }
    }

    /// <summary>Gives the SW_FW_SYNC resource <paramref name="mask"/> back (under the SWSM semaphore; logged if that cannot be had).</summary>
    private void ReleaseResource(uint mask)
    {
        if (AcquireHardwareSemaphore() != NicStatus.Ok)
        {
            Log("igb: SWSM semaphore not available to release a SW_FW_SYNC resource"u8);
            return;
        }
        uint sync = _regs.SW_FW_SYNC.Read().Bits;
        _regs.SW_FW_SYNC.Write(new Igb.SW_FW_SYNC(sync & ~mask));
        ReleaseHardwareSemaphore();
    }

    /// <summary>
    /// The SWSM semaphore. A read of SWSM returns SMBI and sets it, so one plain read that sees
    /// SMBI clear has taken it (never a read-modify-write of SWSM). Then SWESMBI: written (with
    /// SMBI, which the driver now holds) and read back until it sticks. Both bounded by
    /// <see cref="SemaphoreTimeoutMicroseconds"/>; Timeout otherwise, with SWSM released.
    /// </summary>
    private NicStatus AcquireHardwareSemaphore()
    {
        THost host = _host;
        Deadline deadline = Deadline.After(ref host, SemaphoreTimeoutMicroseconds);
        while (_regs.SWSM.ReadAndSet().SMBI) // a read sets SMBI: the one that sees 0 took it (QEMU igb_mac_swsm_read)
        {
            if (deadline.Expired(ref host))
            {
                Log("igb: SWSM.SMBI stays set; PHY and NVM not reachable"u8);
                return NicStatus.Timeout;
            }
            host.Delay(SemaphorePollMicroseconds);
        }
        Igb.SWSM take = default;
        take.SMBI = true;
        take.SWESMBI = true;
        while (true)
        {
            _regs.SWSM.Write(take);
            if (_regs.SWSM.ReadAndSet().SWESMBI) return NicStatus.Ok;
            if (deadline.Expired(ref host))
            {
                ReleaseHardwareSemaphore();
                Log("igb: SWSM.SWESMBI not granted; PHY and NVM not reachable"u8);
                return NicStatus.Timeout;
            }
            host.Delay(SemaphorePollMicroseconds);
        }
    }

    /// <summary>Releases SWSM: a write of 0 clears SMBI and SWESMBI.</summary>
    private void ReleaseHardwareSemaphore() => _regs.SWSM.Write(default);
}
