namespace Regs.Nic;

/// <summary>The link as a card reports it.</summary>
public readonly struct LinkState
{
    /// <summary>True when the link is up.</summary>
    public readonly bool Up;
    /// <summary>Speed in Mb/s when known, 0 otherwise.</summary>
    public readonly uint SpeedMbps;
    /// <summary>Full duplex when known.</summary>
    public readonly bool FullDuplex;

    /// <summary>A link state.</summary>
    public LinkState(bool up, uint speedMbps, bool fullDuplex) { Up = up; SpeedMbps = speedMbps; FullDuplex = fullDuplex; }
}
