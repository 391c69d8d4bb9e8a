using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Regs.Drivers.Igb;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime;
using Regs.Runtime.Pci;
using Xunit;

namespace Regs.Drivers.Tests.Faults;

/// <summary>
/// Numbered test traffic between two igb drivers, NIC 0 ("A") and NIC 1 ("B"), on any backend.
/// Every frame either NIC delivers is checked against what was sent (byte for byte, by its
/// sequence number) and recorded, so a frame delivered twice, at any time, fails the test.
/// </summary>
internal class IgbTraffic<TAccess, THost>
    where TAccess : struct, IRegisterAccess<TAccess>
    where THost : struct, IDriverHost, IPciHost<TAccess>
{
    /// <summary>The address A is given with SetMac (locally administered).</summary>
    public static readonly MacAddress SetMacAddress = new(0x0000_6655_4433_2202ul);
    /// <summary>The multicast group A joins.</summary>
    public static readonly MacAddress Group = new(0x0000_FB00_005E_0001ul);   // 01:00:5e:00:00:fb
    /// <summary>A group A never joins (another multicast table word).</summary>
    public static readonly MacAddress OtherGroup = new(0x0000_4200_C05E_0001ul);
    /// <summary>EtherType of the numbered test frames.</summary>
    public const ushort EtherType = 0x88B5;

    private readonly Dictionary<int, byte[]> _sent = new();
    private readonly HashSet<int>[] _delivered = { new(), new() };
    private int _nextSequence;

    public IgbNic<TAccess, THost>[] Nics { get; } = new IgbNic<TAccess, THost>[2];
    public ref IgbNic<TAccess, THost> A => ref Nics[0];
    public ref IgbNic<TAccess, THost> B => ref Nics[1];

    /// <summary>Waits until both drivers report the link up, receiving (and checking) whatever arrives meanwhile.</summary>
    public void WaitForLinks()
    {
        var watch = Stopwatch.StartNew();
        while (!A.Link().Up || !B.Link().Up)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "link never came up");
            A.WaitForReceive(5_000);
            Pump(0);
            B.WaitForReceive(0);
            Pump(1);
        }
    }

    /// <summary>A new numbered frame from NIC <paramref name="from"/> to <paramref name="destination"/>.</summary>
    public byte[] NewFrame(int from, MacAddress destination)
    {
        int sequence = _nextSequence++;
        var f = new byte[60 + (sequence * 37) % 1400];
        destination.CopyTo(f);
        Nics[from].Mac.CopyTo(f.AsSpan(6));
        f[12] = EtherType >> 8; f[13] = EtherType & 0xFF;
        BitConverter.TryWriteBytes(f.AsSpan(14), sequence);
        for (int j = 18; j < f.Length; j++) f[j] = (byte)(sequence * 7 + j);
        _sent[sequence] = f;
        return f;
    }

    /// <summary>Sends up to <paramref name="count"/> new frames from <paramref name="from"/> to the other NIC; returns the sequence numbers queued.</summary>
    public List<int> SendSome(int from, int count, MacAddress? destination = null)
    {
        var batch = NicScenarios.NewBatch(count);
        var sequences = new List<int>();
        for (int i = 0; i < count; i++)
        {
            byte[] f = NewFrame(from, destination ?? Nics[1 - from].Mac);
            batch.Add(f);
            sequences.Add(BitConverter.ToInt32(f, 14));
        }
        int sent = Nics[from].Send(batch);
        return sequences.Take(sent).ToList();
    }

    /// <summary>Receives everything NIC <paramref name="index"/> has; checks and records each frame. Returns the sequence numbers.</summary>
    public List<int> Pump(int index)
    {
        var rx = NicScenarios.NewBatch(64);
        var got = new List<int>();
        int n = Nics[index].Receive(ref rx);
        for (int i = 0; i < n; i++)
        {
            byte[] frame = rx.Frame(i).ToArray();
            Assert.True(frame.Length >= 18 && frame[12] == EtherType >> 8 && frame[13] == (EtherType & 0xFF), "a frame that was never sent was delivered");
            int sequence = BitConverter.ToInt32(frame, 14);
            Assert.True(_sent.TryGetValue(sequence, out var sent), $"frame {sequence} was never sent");
            Assert.True(sent.AsSpan().SequenceEqual(frame), $"frame {sequence} delivered corrupted");
            Assert.True(_delivered[index].Add(sequence), $"frame {sequence} delivered twice");
            got.Add(sequence);
        }
        return got;
    }

    /// <summary>
    /// Frames NIC <paramref name="index"/>'s driver has returned since it was opened (for the
    /// counter check): <see cref="Pump"/> fails on any frame that is not a new test frame, so
    /// this is the number of test frames it delivered.
    /// </summary>
    public long DeliveredFrames(int index) => _delivered[index].Count;

    /// <summary>
    /// Sends <paramref name="count"/> new frames from <paramref name="from"/> to the other NIC and
    /// receives until every one arrived: exactly once (checked by <see cref="Pump"/>), byte-exact.
    /// </summary>
    public void Burst(int from, int count, MacAddress? destination = null)
    {
        int to = 1 - from;
        var pending = new HashSet<int>();
        int queued = 0;
        var watch = Stopwatch.StartNew();
        while (queued < count || pending.Count > 0)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"burst stalled: {pending.Count} of {count} frames outstanding");
            if (queued < count)
            {
                var sequences = SendSome(from, Math.Min(32, count - queued), destination);
                foreach (int s in sequences) pending.Add(s);
                queued += sequences.Count;
                // Frames the ring did not take are not sent: forget them.
            }
            Nics[to].WaitForReceive(queued < count ? 0u : 20_000u);
            foreach (int s in Pump(to)) pending.Remove(s);
            Pump(from);
        }
    }

    /// <summary>One frame to <paramref name="group"/> from B: true when A delivered it within 200 ms.</summary>
    public bool GroupFrameReachesA(MacAddress group)
    {
        var sequences = SendSome(1, 1, group);
        Assert.Single(sequences);
        var watch = Stopwatch.StartNew();
        while (watch.ElapsedMilliseconds < 200)
        {
            A.WaitForReceive(10_000);
            if (Pump(0).Contains(sequences[0])) return true;
        }
        return false;
    }

    /// <summary>
    /// Interrupt mode: A sleeps in WaitForReceive while B, on another thread, sends one frame 30 ms
    /// later; true when A woke for it through an interrupt (its interrupt count rose).
    /// </summary>
    public bool InterruptWakesA()
    {
        ulong interrupts = A.Stats().Interrupts;
        byte[] frame = NewFrame(1, A.Mac);
        var nicB = B;
        var sender = System.Threading.Tasks.Task.Run(() =>
        {
            System.Threading.Thread.Sleep(30);
            var batch = NicScenarios.NewBatch(1);
            batch.Add(frame);
            return nicB.Send(batch);
        });
        bool woke = A.WaitForReceive(2_000_000);
        Assert.Equal(1, sender.GetAwaiter().GetResult());
        Assert.Contains(BitConverter.ToInt32(frame, 14), Pump(0));
        return woke && A.Stats().Interrupts > interrupts;
    }

    /// <summary>
    /// Traffic both ways (best effort: rings may be full, links down) while waiting on A, until
    /// <paramref name="done"/> or <paramref name="limit"/>; fails the test on the limit. Returns the time taken.
    /// </summary>
    public TimeSpan DriveUntil(Func<bool> done, TimeSpan limit, bool sendFromA = true, bool sendFromB = true, int framesPerStep = 4)
    {
        var watch = Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(watch.Elapsed < limit, $"not done within {limit.TotalMilliseconds} ms");
            if (sendFromB) SendSome(1, framesPerStep);
            if (sendFromA) SendSome(0, framesPerStep);
            A.WaitForReceive(2_000);
            Pump(0);
            B.WaitForReceive(0);
            Pump(1);
        }
        return watch.Elapsed;
    }
}
