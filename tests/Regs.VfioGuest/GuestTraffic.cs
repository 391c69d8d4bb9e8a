using System;
using Regs.Nic;
using Regs.Testing.Traffic;

namespace Regs.VfioGuest;

/// <summary>Numbered traffic between the guest's two NICs (Regs.Testing.Traffic) as checks: null when it passed, else why not.</summary>
internal static class GuestTraffic
{
    /// <summary>
    /// igb (A) and virtio-net (B), on a hub with slirp: other frames are passed over, a driver
    /// error fails, a burst may take 20 s (TCG).
    /// </summary>
    public static NicTraffic<INic> Between(INic igb, INic virtio) => new(igb, virtio) { DriverErrorsFail = true, BurstLimit = TimeSpan.FromSeconds(20) };

    /// <summary><paramref name="count"/> frames from A to B, then as many back: each must arrive exactly once and intact.</summary>
    public static string? BurstEachWay(NicTraffic<INic> traffic, int count) => Failure(() =>
    {
        traffic.Burst(0, count);
        traffic.Burst(1, count);
    });

    /// <summary>
    /// NIC <paramref name="sleeper"/>, in interrupt mode, sleeps up to 5 s while the other sends it
    /// a frame 200 ms later: it must wake for that frame (not before), through an interrupt.
    /// </summary>
    public static string? WakesOnInterrupt(NicTraffic<INic> traffic, int sleeper)
    {
        InterruptWake wake = default;
        string? failure = Failure(() => wake = traffic.WakeByInterrupt(sleeper, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5)));
        if (failure is not null) return failure;
        if (!wake.Woke) return "no frame within 5 s";
        if (wake.Waited < TimeSpan.FromMilliseconds(150)) return $"woke after {wake.Waited.TotalMilliseconds:F0} ms, before the frame was sent";
        return wake.Interrupts > 0 ? null : "woke without an interrupt";
    }

    /// <summary>null when <paramref name="check"/> ran through, else the message of the traffic check that failed.</summary>
    public static string? Failure(Action check)
    {
        try
        {
            check();
            return null;
        }
        catch (TrafficException e)
        {
            return e.Message;
        }
    }
}
