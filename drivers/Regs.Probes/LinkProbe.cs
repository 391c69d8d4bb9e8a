using Regs.Nic;
using Regs.Runtime;

namespace Regs.Probes;

/// <summary>Waiting for a link to come up (autonegotiation takes a PHY about half a second).</summary>
public static class LinkProbe
{
    private const uint PollMicroseconds = 20_000;

    /// <summary>
    /// Waits until <paramref name="nic"/> reports its link up, at most
    /// <paramref name="timeoutMicroseconds"/>; true when it is up.
    /// </summary>
    public static bool WaitForUp<TNic, TClock>(ref TNic nic, uint timeoutMicroseconds)
        where TNic : INic where TClock : struct, IClock
    {
        ulong start = TClock.NowMicroseconds(), elapsed;
        while (!nic.Link().Up && (elapsed = TClock.NowMicroseconds() - start) < timeoutMicroseconds)
        {
            // The NIC's own bounded wait is the pause between looks (it returns early when a frame is pending).
            ulong left = timeoutMicroseconds - elapsed;
            nic.WaitForReceive(left < PollMicroseconds ? (uint)left : PollMicroseconds);
        }
        return nic.Link().Up;
    }
}
