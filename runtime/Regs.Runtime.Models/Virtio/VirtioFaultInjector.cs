namespace Regs.Runtime.Models.Virtio;

/// <summary>
/// The fault a <see cref="VirtioNetDevice"/> is armed with. A test arms one fault, optionally
/// delayed by a number of device events (frames from the wire, notifications, interrupt-status
/// reads) so it strikes under traffic, one-shot or persistent until <see cref="Clear"/>. The
/// device asks it at each point a fault can act and counts every faulty act in <see cref="Injected"/>.
/// Used under the network lock, like the device.
/// </summary>
public sealed class VirtioFaultInjector
{
    private readonly object _lock;
    private long _countdown;
    private long _events;

    internal VirtioFaultInjector(object networkLock) { _lock = networkLock; }

    /// <summary>The fault armed, <see cref="VirtioFault.None"/> when the device behaves.</summary>
    public VirtioFault Armed { get; private set; }

    /// <summary>True when the fault stays armed after acting (until <see cref="Clear"/>).</summary>
    public bool Persistent { get; private set; }

    /// <summary>The queue a used-ring fault acts on (0 receiveq, 1 transmitq).</summary>
    public int Queue { get; private set; }

    /// <summary>Device events between two link toggles (<see cref="VirtioFault.LinkFlap"/>).</summary>
    public int Period { get; private set; }

    /// <summary>Faulty acts so far (each bad element, withheld queue run, swallowed frame, failed reset, churned read, toggle).</summary>
    public long Injected { get; private set; }

    /// <summary>
    /// Arms <paramref name="fault"/> on <paramref name="queue"/> (used-ring faults), striking after
    /// <paramref name="afterEvents"/> device events; <paramref name="persistent"/> keeps it armed
    /// after it acted; <paramref name="period"/> spaces link toggles.
    /// </summary>
    public void Arm(VirtioFault fault, int queue = VirtioNetDevice.TransmitQueue, bool persistent = false, int afterEvents = 0, int period = 8)
    {
        lock (_lock)
        {
            Armed = fault;
            Queue = queue;
            Persistent = persistent;
            Period = period < 1 ? 1 : period;
            _countdown = afterEvents;
            _events = 0;
        }
    }

    /// <summary>Disarms: the device behaves from now on.</summary>
    public void Clear()
    {
        lock (_lock) Armed = VirtioFault.None;
    }

    /// <summary>A device event: counts down the delay before the fault strikes.</summary>
    internal void Event()
    {
        if (Armed != VirtioFault.None && _countdown > 0) _countdown--;
    }

    /// <summary>True while <paramref name="fault"/> is armed and its delay has run out.</summary>
    internal bool InForce(VirtioFault fault) => Armed == fault && _countdown <= 0;

    /// <summary>True at every <see cref="Period"/>-th event while link flapping is in force.</summary>
    internal bool FlapDue() => InForce(VirtioFault.LinkFlap) && ++_events % Period == 0;

    /// <summary>True (and counted, and disarmed unless persistent) when <paramref name="fault"/> acts now.</summary>
    internal bool Strikes(VirtioFault fault)
    {
        if (!InForce(fault)) return false;
        Acted();
        return true;
    }

    /// <summary>True (as <see cref="Strikes(VirtioFault)"/>) when <paramref name="fault"/> acts now on queue <paramref name="queue"/>.</summary>
    internal bool Strikes(VirtioFault fault, int queue) => Queue == queue && Strikes(fault);

    /// <summary>Counts a faulty act of a fault that stays in force (link toggles).</summary>
    internal void Acted()
    {
        Injected++;
        if (!Persistent && Armed != VirtioFault.LinkFlap) Armed = VirtioFault.None;
    }
}
