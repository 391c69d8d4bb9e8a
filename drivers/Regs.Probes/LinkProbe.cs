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
            // A plain local as the argument: with a computed one Roslyn boxes default(TNic) to test for a
            // reference type, and the bare-metal runtime has no boxing.
            ulong left = timeoutMicroseconds - elapsed;
            uint pause = left < PollMicroseconds ? (uint)left : PollMicroseconds;
            nic.WaitForReceive(pause);
        }
        return nic.Link().Up;
    }
}
