using System.Collections.Generic;
using Regs.Net;

namespace Regs.Testing.Traffic;

/// <summary>
/// The test frames of one traffic from one MAC to another: ids 0, 1, 2... in the order a driver
/// queued them (only what a driver took gets an id, so a frame a full ring refused is sent again
/// under the same id), and what arrived of them.
/// </summary>
public sealed class TrafficFlow
{
    private readonly HashSet<long> _delivered = new();
    private readonly List<int> _sentInStep = new();

    internal TrafficFlow(ushort etherType, MacAddress from, MacAddress to, bool remote)
    {
        EtherType = etherType;
        From = from;
        To = to;
        Remote = remote;
    }

    /// <summary>The frames' EtherType.</summary>
    public ushort EtherType { get; }
    /// <summary>The sender's MAC.</summary>
    public MacAddress From { get; }
    /// <summary>Where the frames go (a NIC's MAC or a group).</summary>
    public MacAddress To { get; }
    /// <summary>True when another program sends these frames, so which ids were sent is not known here.</summary>
    public bool Remote { get; }

    /// <summary>Frames a driver queued (ids 0 to Sent - 1); 0 for a remote flow.</summary>
    public long Sent => _sentInStep.Count;
    /// <summary>Frames that arrived (once each).</summary>
    public int Delivered => _delivered.Count;
    /// <summary>Frames queued that never arrived.</summary>
    public long Lost => Sent - Delivered;
    /// <summary>The highest id that arrived, -1 before any.</summary>
    public long Highest { get; private set; } = -1;
    /// <summary>Frames that arrived a second time.</summary>
    public int Duplicated { get; private set; }
    /// <summary>Frames that were not byte for byte a frame of this flow that was sent.</summary>
    public int Corrupted { get; private set; }
    /// <summary>Frames that arrived after a higher id (counted only where the wire keeps order).</summary>
    public int OutOfOrder { get; private set; }

    /// <summary>True when frame <paramref name="id"/> arrived.</summary>
    public bool WasDelivered(long id) => _delivered.Contains(id);

    /// <summary>The <see cref="NicTraffic{TNic}.Steps"/> count when frame <paramref name="id"/> was queued.</summary>
    public int SentInStep(long id) => _sentInStep[checked((int)id)];

    /// <summary>Frame <paramref name="id"/> exactly as it was sent.</summary>
    public byte[] Frame(long id) => TestFrame.Create(EtherType, To, From, id);

    /// <inheritdoc/>
    public override string ToString() => $"{From}->{To}";

    internal void Queued(int count, int step)
    {
        for (int i = 0; i < count; i++) _sentInStep.Add(step);
    }

    internal Delivery Deliver(System.ReadOnlySpan<byte> frame, long id, bool wireKeepsOrder)
    {
        if (id < 0 || (!Remote && id >= Sent))
        {
            Corrupted++;
            return Delivery.NeverSent;
        }
        if (!TestFrame.IsIntact(frame))
        {
            Corrupted++;
            return Delivery.Corrupted;
        }
        if (!_delivered.Add(id))
        {
            Duplicated++;
            return Delivery.Duplicate;
        }
        long highest = Highest;
        if (id > highest) Highest = id;
        if (wireKeepsOrder && id < highest)
        {
            OutOfOrder++;
            return Delivery.OutOfOrder;
        }
        return Delivery.Fresh;
    }
}
