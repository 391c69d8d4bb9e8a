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

    internal void Transmit(DeviceModel from, ReadOnlySpan<byte> frame)
    {
        _capture.Add((from, frame.ToArray()));
        if (from.LinkUp && _peers.TryGetValue(from, out var to) && to.LinkUp) to.Deliver(frame);
    }
}
