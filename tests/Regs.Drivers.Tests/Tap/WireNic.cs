using System;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Threading;
using Hosted = Regs.Runtime.Hosted;
using Regs.Net;
using Regs.Nic;

namespace Regs.Drivers.Tests.Tap;

/// <summary>
/// One end of a test cable that carries frames with their offload metadata unchanged, as a
/// virtio-net device passes NEEDS_CSUM and GSO trains to a guest that negotiated GUEST_CSUM and
/// GUEST_TSO: what one bridge gives its NIC, the other bridge gets from its NIC. It checks every
/// frame it is given: offload requests beyond <see cref="Offloads"/> are violations; plain IPv4
/// TCP/UDP frames have their checksums verified (independently of the bridge's code); a
/// NEEDS_CSUM frame's partial checksum is completed and then verified; plain frames must fit the MTU.
/// </summary>
internal sealed class WireEnd
{
    public const int Capacity = 2048;

    public WireEnd(MacAddress mac, NicOffloads offloads)
    {
        Mac = mac;
        Offloads = offloads;
    }

    public MacAddress Mac { get; }
    public NicOffloads Offloads { get; }
    public WireEnd? Peer { get; set; }
    public ConcurrentQueue<(byte[] Frame, FrameOffload Offload)> Inbox { get; } = new();

    public long Sent, Received, PlainFrames, ChecksumRequests, SegmentationTrains, LongestFrame,
        ChecksumsVerified, ChecksumsBad, PlainTooLong, Violations, BadSegmentation, DroppedTooLong;

    public string Describe() => $"sent {Sent} received {Received} plain {PlainFrames} NEEDS_CSUM {ChecksumRequests} GSO {SegmentationTrains} longest {LongestFrame} "
        + $"checksums verified {ChecksumsVerified} bad {ChecksumsBad} plain-too-long {PlainTooLong} violations {Violations} bad-gso {BadSegmentation}";

    /// <summary>Checks one frame handed to Send.</summary>
    public void Inspect(ReadOnlySpan<byte> frame, in FrameOffload o)
    {
        if (frame.Length > LongestFrame) LongestFrame = frame.Length;
        bool csum = (o.Flags & FrameOffload.NeedsChecksum) != 0;
        byte gso = (byte)(o.GsoType & ~FrameOffload.GsoEcn);
        if (csum && (Offloads & NicOffloads.TxChecksum) == 0) Violations++;
        if (gso == FrameOffload.GsoTcpV4 && (Offloads & NicOffloads.TxTcpSegmentationV4) == 0) Violations++;
        if (gso == FrameOffload.GsoTcpV6 && (Offloads & NicOffloads.TxTcpSegmentationV6) == 0) Violations++;
        if (gso is not (FrameOffload.GsoNone or FrameOffload.GsoTcpV4 or FrameOffload.GsoTcpV6)) Violations++;
        if (o.GsoType != FrameOffload.GsoNone)
        {
            SegmentationTrains++;
            // A train: headers Ethernet + IPv4/IPv6 + TCP, segments no longer than the MTU allows.
            if (!csum || o.HeaderLength < 54 || o.HeaderLength > 14 + 60 + 60 || o.SegmentSize == 0 || o.SegmentSize > 1500 - 40) BadSegmentation++;
            return;
        }
        if (frame.Length > 1514) PlainTooLong++;
        if (csum)
        {
            ChecksumRequests++;
            if (o.ChecksumStart + o.ChecksumOffset + 2 > frame.Length) { ChecksumsBad++; return; }
            byte[] copy = frame.ToArray();
            // Complete: the field holds the pseudo-header sum; sum from ChecksumStart, store the complement.
            long sum = 0;
            for (int i = o.ChecksumStart; i < copy.Length; i += 2) sum += copy[i] * 256 + (i + 1 < copy.Length ? copy[i + 1] : 0);
            while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
            BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(o.ChecksumStart + o.ChecksumOffset), (ushort)~sum);
            Verify(copy);
            return;
        }
        PlainFrames++;
        Verify(frame);
    }

    // IPv4 TCP/UDP (unfragmented): the IPv4 header checksum and the pseudo-header + segment sum must both fold to 0xFFFF.
    private void Verify(ReadOnlySpan<byte> f)
    {
        if (f.Length < 34 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4) return;
        int ihl = (f[14] & 15) * 4, total = f[16] * 256 + f[17], protocol = f[23];
        if (ihl < 20 || total < ihl || 14 + total > f.Length) { ChecksumsBad++; return; }
        if (Fold(Sum(f.Slice(14, ihl))) != 0xFFFF) { ChecksumsBad++; return; }
        if ((f[20] & 0x3F) != 0 || f[21] != 0) return;   // a fragment: its L4 checksum covers the whole datagram
        if (protocol is not (6 or 17)) return;
        ReadOnlySpan<byte> l4 = f.Slice(14 + ihl, total - ihl);
        if (protocol == 17 && l4.Length >= 8 && l4[6] == 0 && l4[7] == 0) return;   // UDP without checksum
        long sum = Sum(f.Slice(26, 8)) + protocol + l4.Length + Sum(l4);
        if (Fold(sum) == 0xFFFF) ChecksumsVerified++; else ChecksumsBad++;
    }

    private static long Sum(ReadOnlySpan<byte> b)
    {
        long s = 0;
        for (int i = 0; i < b.Length; i += 2) s += b[i] * 256 + (i + 1 < b.Length ? b[i + 1] : 0);
        return s;
    }

    private static long Fold(long s)
    {
        while (s > 0xFFFF) s = (s & 0xFFFF) + (s >> 16);
        return s;
    }
}

/// <summary>An <see cref="INic"/> over a <see cref="WireEnd"/>: Send checks and forwards to the peer, Receive takes from its inbox.</summary>
internal readonly struct WireNic : INic
{
    private readonly WireEnd _end;

    public WireNic(WireEnd end) => _end = end;

    public MacAddress Mac => _end.Mac;
    public LinkState Link() => new(true, 10_000, true);
    public NicStats Stats() => new() { TxFrames = (ulong)Interlocked.Read(ref _end.Sent), RxFrames = (ulong)Interlocked.Read(ref _end.Received) };
    public int MaxFrameLength => 1518;
    public NicOffloads Offloads => _end.Offloads;
    public NicStatus LastError => NicStatus.Ok;
    public NicStatus Reset() => NicStatus.Ok;

    public int Send(in FrameBatch batch)
    {
        WireEnd peer = _end.Peer!;
        for (int i = 0; i < batch.Count; i++)
        {
            if (peer.Inbox.Count >= WireEnd.Capacity) return i;   // the "ring" is full: the bridge keeps the rest
            _end.Inspect(batch.Frame(i), batch.Offload(i));
            peer.Inbox.Enqueue((batch.Frame(i).ToArray(), batch.Offload(i)));
            Interlocked.Increment(ref _end.Sent);
        }
        return batch.Count;
    }

    public int Receive(ref FrameBatch batch)
    {
        batch.Clear();
        while (_end.Inbox.TryPeek(out var item))
        {
            if (item.Frame.Length > batch.FreeBytes)
            {
                if (batch.Count == 0 && _end.Inbox.TryDequeue(out _)) { _end.DroppedTooLong++; continue; }
                break;
            }
            _end.Inbox.TryDequeue(out _);
            batch.Add(item.Frame, item.Offload);
            Interlocked.Increment(ref _end.Received);
        }
        return batch.Count;
    }

    public bool WaitForReceive(uint timeoutMicroseconds)
    {
        ulong until = Hosted.MonotonicClock.NowMicroseconds() + timeoutMicroseconds;
        while (_end.Inbox.IsEmpty && Hosted.MonotonicClock.NowMicroseconds() < until) Thread.Sleep(0);
        return !_end.Inbox.IsEmpty;
    }

    /// <summary>A test cable has no interrupt: the bridge keeps to WaitForReceive.</summary>
    public bool ArmInterrupt() => false;

    /// <inheritdoc/>
    public bool AcknowledgeInterrupt() => !_end.Inbox.IsEmpty;
}
