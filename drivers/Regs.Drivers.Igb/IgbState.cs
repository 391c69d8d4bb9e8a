using Regs.Nic;

namespace Regs.Drivers.Igb;

// The register block, not this namespace.
using Igb = global::Regs.Igb.Igb;

/// <summary>The driver's mutable state, in private memory so every copy of the handle shares it.</summary>
internal unsafe struct IgbState
{
    public IgbOptions Options;
    /// <summary>The offloads turned on (<see cref="IgbOptions.Offloads"/> the driver has).</summary>
    public NicOffloads Offloads;
    public IgbRxRing Rx;
    public IgbTxRing Tx;
    public NicStats Stats;
    public IgbDeviceStats Device;
    public ulong Mac;
    /// <summary>True once <see cref="Mac"/> holds the station address (learnt or set).</summary>
    public bool MacKnown;
    public NicStatus LastError;
    public bool LinkUp;
    public bool Running;
    /// <summary>Host time of the last health check or bring-up attempt (rate limit).</summary>
    public ulong LastWatchdog;
    /// <summary>Shadow of the 128 MTA words (re-programmed after a reset).</summary>
    public fixed uint Mta[(int)Igb.MTACount];
}
