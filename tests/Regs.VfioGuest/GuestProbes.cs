using Regs.Net;
using Regs.Nic;
using Regs.Probes;
using Regs.Runtime.Hosted;

namespace Regs.VfioGuest;

/// <summary>The probes of Regs.Probes as checks: null when the step worked, else what went wrong.</summary>
internal static class GuestProbes
{
    private const uint LinkTimeout = 3_000_000, StepTimeout = 2_000_000;

    /// <summary>Waits for both links; null when both came up.</summary>
    public static string? LinksUp<TA, TB>(ref TA a, ref TB b) where TA : INic where TB : INic
        => LinkProbe.WaitForUp<TA, MonotonicClock>(ref a, LinkTimeout) & LinkProbe.WaitForUp<TB, MonotonicClock>(ref b, LinkTimeout) ? null : "link stayed down";

    /// <summary>ARP for slirp's gateway and ping it.</summary>
    public static string? Gateway<TNic>(ref TNic nic, uint ip) where TNic : INic
    {
        GatewayProbeResult probe = GatewayProbe.Run<TNic, MonotonicClock>(ref nic, ip, Scenarios.GatewayIp, StepTimeout);
        return !probe.ArpSent ? "the ARP request was not sent (transmit ring full)"
            : !probe.ArpReplied ? $"no ARP reply from {Ipv4.Text(Scenarios.GatewayIp)}"
            : !probe.EchoSent ? "the echo request was not sent (transmit ring full)"
            : !probe.EchoReplied ? $"no ICMP echo reply from {Ipv4.Text(Scenarios.GatewayIp)}" : null;
    }

    /// <summary>A resolves B and pings it while B answers.</summary>
    public static string? Peers<TA, TB>(ref TA a, uint ipA, ref TB b, uint ipB) where TA : INic where TB : INic
    {
        PeerProbeResult probe = PeerProbe.Run<TA, TB, MonotonicClock>(ref a, ipA, ref b, ipB, StepTimeout);
        return probe.Succeeded ? null : $"{probe.Failure} ({probe.IgnoredFrames} other frames; A {a.LastError}, B {b.LastError})";
    }
}
