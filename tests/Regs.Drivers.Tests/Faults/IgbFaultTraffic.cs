using System;
using Regs.Drivers.Igb;
using Regs.Net;
using Regs.Runtime;
using Regs.Runtime.Pci;
using Regs.Testing.Traffic;

namespace Regs.Drivers.Tests.Faults;

/// <summary>
/// The traffic of the igb fault tests, on the models and on QEMU: numbered frames between two igb
/// drivers, NIC 0 ("A", the one under test: SetMac address, one multicast group joined) and NIC 1
/// ("B"). Nothing but test frames is on the wire, so any other frame delivered fails, and every
/// frame either NIC delivers is checked at any time: a frame delivered twice fails the test.
/// </summary>
internal abstract class IgbFaultTraffic<TAccess, THost> : NicTraffic<IgbNic<TAccess, THost>>
    where TAccess : struct, IRegisterAccess<TAccess>
    where THost : struct, IDriverHost, IPciHost<TAccess>
{
    /// <summary>The address A is given with SetMac (locally administered).</summary>
    public static readonly MacAddress SetMacAddress = new(0x0000_6655_4433_2202ul);
    /// <summary>The multicast group A joins.</summary>
    public static readonly MacAddress Group = new(0x0000_FB00_005E_0001ul);   // 01:00:5e:00:00:fb
    /// <summary>A group A never joins (another multicast table word).</summary>
    public static readonly MacAddress OtherGroup = new(0x0000_4200_C05E_0001ul);

    /// <summary>Two NICs to be opened into <see cref="NicTraffic{TNic}.Nics"/>.</summary>
    protected IgbFaultTraffic() : base(new IgbNic<TAccess, THost>[2]) => OtherFramesFail = true;

    /// <summary>
    /// Traffic both ways (as asked) while A waits up to 2 ms a step for it, until
    /// <paramref name="done"/>; fails after <paramref name="limit"/>. Returns the time taken.
    /// </summary>
    public TimeSpan DriveUntil(Func<bool> done, TimeSpan limit, bool sendFromA = true, bool sendFromB = true, int framesPerStep = 4)
        => StepUntil(done, limit, new TrafficStep(framesPerStep, WaitA: 2_000, WaitB: 0, sendFromA, sendFromB));

    /// <summary>One frame from B to <paramref name="group"/>: true when A delivered it within 200 ms.</summary>
    public bool GroupFrameReachesA(MacAddress group) => Reaches(1, group, at: 0, TimeSpan.FromMilliseconds(200));

    /// <summary>
    /// Interrupt mode: A sleeps in WaitForReceive while B sends it one frame 30 ms later from
    /// another thread; true when A woke for it through an interrupt (its interrupt count rose).
    /// </summary>
    public bool InterruptWakesA()
    {
        InterruptWake wake = WakeByInterrupt(0, TimeSpan.FromMilliseconds(30), TimeSpan.FromSeconds(2));
        return wake.Woke && wake.Interrupts > 0;
    }
}
