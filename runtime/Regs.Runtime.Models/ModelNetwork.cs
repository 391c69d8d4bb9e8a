using System;
using System.Collections.Generic;

namespace Regs.Runtime.Models;

/// <summary>
/// Cables between device models: each model's transmitted frames reach its peer. Also the one lock
/// every model runs under, and a capture of every frame put on a wire (like QEMU's filter-dump).
/// </summary>
public sealed class ModelNetwork
{
    private readonly Dictionary<DeviceModel, DeviceModel> _peers = new();
    private readonly List<(DeviceModel From, byte[] Frame)> _capture = new();

    /// <summary>The lock device behaviour runs under.</summary>
    public object Lock { get; } = new();

    /// <summary>Connects two models back to back.</summary>
    public void Connect(DeviceModel a, DeviceModel b)
    {
        lock (Lock) { _peers[a] = b; _peers[b] = a; }
    }

    /// <summary>Every frame transmitted so far, in order, with its sender.</summary>
    public IReadOnlyList<(DeviceModel From, byte[] Frame)> Captured
    {
        get { lock (Lock) return _capture.ToArray(); }
    }

    // Frames in flight. A model transmits from inside a register write; delivering there would
    // re-enter models mid-update (a gateway answering at once, a peer replying), so frames wait
    // here, like on a wire, until the register access that sent them has finished.
    private readonly Queue<(DeviceModel To, byte[] Frame)> _inFlight = new();
    private bool _draining;

    internal void Transmit(DeviceModel from, ReadOnlySpan<byte> frame)
    {
        byte[] copy = frame.ToArray();
        _capture.Add((from, copy));
        if (from.LinkUp && _peers.TryGetValue(from, out var to)) _inFlight.Enqueue((to, copy));
    }

    /// <summary>Delivers the frames in flight, including answers they provoke; called under <see cref="Lock"/> after every register access.</summary>
    internal void Drain()
    {
        if (_draining) return;
        _draining = true;
        try
        {
            while (_inFlight.TryDequeue(out var next))
                if (next.To.LinkUp) next.To.Deliver(next.Frame);
        }
        finally { _draining = false; }
    }
}
