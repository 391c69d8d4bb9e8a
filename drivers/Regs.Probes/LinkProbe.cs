using Regs.Nic;
using Regs.Runtime;

namespace Regs.Probes;

/// <summary>Waiting for a link to come up (autonegotiation takes a PHY about half a second).</summary>
public static class LinkProbe
{
    /// <summary>
    /// Waits until <paramref name="nic"/> reports its link up, at most
    /// <paramref name="timeoutMicroseconds"/>; true when it is up.
    /// </summary>
    public static bool WaitForUp<TNic, TClock>(ref TNic nic, uint timeoutMicroseconds)
        where TNic : INic where TClock : struct, IClock
    {
        ulong start = TClock.NowMicroseconds();
        while (!nic.Link().Up && TClock.NowMicroseconds() - start < timeoutMicroseconds) nic.WaitForReceive(20_000);
        return nic.Link().Up;
    }
}
