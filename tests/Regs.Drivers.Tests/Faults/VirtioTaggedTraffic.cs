using System;
using System.Collections.Generic;
using System.Linq;
using Regs.Net;
using Regs.Nic;
using Xunit;

namespace Regs.Drivers.Tests.Faults;

/// <summary>
/// Frames between two NICs on one wire (a <see cref="VirtioFaultBench"/> or QEMU), each carrying a unique id its
/// whole content follows from: a receiver checks every frame byte for byte, and the ids it has
/// seen catch any frame delivered twice, whether before, during or after a fault.
/// </summary>
public sealed class VirtioTaggedTraffic
{
    private const ushort EtherType = 0x88B5;   // IEEE local experimental
    private readonly INic[] _nics;
    private readonly Func<int, string>? _deviceState;
    private readonly HashSet<long>[] _seen = { new(), new() };
    private long _nextId = 1;

    /// <summary>Traffic on <paramref name="bench"/>.</summary>
    public VirtioTaggedTraffic(VirtioFaultBench bench)
        : this(bench.A, bench.B, i => { var d = bench.Device(i); return $"device status {d.Status}, resets {d.Resets}, fault {d.Faults.Armed} x{d.Faults.Injected}"; }) { }

    /// <summary>Traffic between <paramref name="a"/> and <paramref name="b"/>; <paramref name="deviceState"/> describes a device for failure messages.</summary>
    public VirtioTaggedTraffic(INic a, INic b, Func<int, string>? deviceState = null)
    {
        _nics = new[] { a, b };
        _deviceState = deviceState;
    }

    /// <summary>Test frames NIC <paramref name="index"/> received, all checked.</summary>
    public int Received(int index) => _seen[index].Count;

    /// <summary>The frame with <paramref name="id"/> from NIC <paramref name="from"/> to NIC <paramref name="to"/>.</summary>
    public byte[] Frame(long id, int from, int to)
    {
        var f = new byte[60 + (int)(id * 37 % 1400)];
        _nics[to].Mac.CopyTo(f);
        _nics[from].Mac.CopyTo(f.AsSpan(6));
        f[12] = EtherType >> 8; f[13] = EtherType & 0xFF;
        BitConverter.TryWriteBytes(f.AsSpan(14), id);
        for (int j = 22; j < f.Length; j++) f[j] = (byte)(id * 7 + j);
        return f;
    }

    /// <summary>Sends up to <paramref name="count"/> new frames from NIC <paramref name="from"/>; returns the ids queued.</summary>
    public List<long> Send(int from, int count)
    {
        var batch = NicScenarios.NewBatch(count);
        var ids = new List<long>();
        for (int i = 0; i < count; i++)
        {
            long id = _nextId++;
            ids.Add(id);
            batch.Add(Frame(id, from, 1 - from));
        }
        int sent = _nics[from].Send(batch);
        return ids.Take(sent).ToList();
    }

    /// <summary>Waits up to <paramref name="waitMicroseconds"/> on NIC <paramref name="index"/>, then receives and checks what came.</summary>
    public int Receive(int index, uint waitMicroseconds)
    {
        INic nic = _nics[index];
        nic.WaitForReceive(waitMicroseconds);
        var batch = NicScenarios.NewBatch(64);
        int n = nic.Receive(ref batch), tagged = 0;
        for (int i = 0; i < n; i++)
        {
            byte[] frame = batch.Frame(i).ToArray();
            if (frame.Length < 22 || frame[12] != EtherType >> 8 || frame[13] != (EtherType & 0xFF)) continue;
            long id = BitConverter.ToInt64(frame, 14);
            Assert.True(id > 0 && id < _nextId, $"NIC {index} received a frame with id {id}, never sent");
            Assert.Equal(Frame(id, 1 - index, index), frame);                              // byte for byte
            Assert.True(_seen[index].Add(id), $"NIC {index} received frame {id} twice");   // exactly once
            tagged++;
        }
        return tagged;
    }

    /// <summary>NIC <paramref name="index"/>'s state and counters, for failure messages.</summary>
    public string Describe(int index)
    {
        INic nic = _nics[index];
        NicStats s = nic.Stats();
        return $"NIC {index}: last {nic.LastError}, link {nic.Link().Up}, rx {s.RxFrames} tx {s.TxFrames}, protocol {s.ProtocolErrors} device {s.DeviceErrors} "
            + $"timeouts {s.Timeouts} recoveries {s.Recoveries} links {s.LinkChanges}; {_deviceState?.Invoke(index)}";
    }

    /// <summary>The longest <see cref="Step"/> so far: no driver call may wait without bound.</summary>
    public TimeSpan LongestStep { get; private set; }

    /// <summary>One round both ways: a few frames from each NIC, then each receives.</summary>
    public void Step(uint waitMicroseconds = 200, int frames = 4)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Send(0, frames);
        Send(1, frames);
        Receive(1, waitMicroseconds);
        Receive(0, waitMicroseconds);
        if (clock.Elapsed > LongestStep) LongestStep = clock.Elapsed;
    }

    /// <summary>
    /// Runs <see cref="Step"/> until <paramref name="done"/> holds; fails the test if that takes
    /// longer than <paramref name="limit"/>. Returns the time it took.
    /// </summary>
    public TimeSpan StepUntil(Func<bool> done, TimeSpan limit, uint waitMicroseconds = 200)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(clock.Elapsed < limit, $"not done after {limit.TotalMilliseconds} ms: {Describe(0)}; {Describe(1)}");
            Step(waitMicroseconds);
        }
        return clock.Elapsed;
    }

    /// <summary>
    /// <paramref name="count"/> new frames each way, all of which must arrive exactly once and
    /// byte for byte within 10 s.
    /// </summary>
    public void Burst(int count)
    {
        var pending = new[] { new HashSet<long>(), new HashSet<long>() };   // by receiver
        int[] left = { count, count };
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (left[0] + left[1] > 0 || pending[0].Count + pending[1].Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"burst stalled: {pending[1].Count} to B and {pending[0].Count} to A missing");
            for (int from = 0; from < 2; from++)
            {
                if (left[from] == 0) continue;
                var ids = Send(from, Math.Min(16, left[from]));
                left[from] -= ids.Count;
                pending[1 - from].UnionWith(ids);
                // Ids not queued (ring full) were never sent; they are simply skipped.
            }
            for (int to = 0; to < 2; to++)
            {
                Receive(to, left[0] + left[1] > 0 ? 0u : 20_000u);
                pending[to].RemoveWhere(_seen[to].Contains);
            }
        }
    }
}
