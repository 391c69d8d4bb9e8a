using System;
using System.Diagnostics;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime.Vfio;

namespace Regs.VfioGuest;

/// <summary>
/// The 64-byte frame rate through the Regs drivers (docs/performance.md, beside Linux's drivers
/// driven by pktgen in the same boot): <see cref="Frames"/> frames of 60 bytes (64 on the wire with
/// the FCS) from one NIC to the other across QEMU's hub, in batches of 32, the receiver drained
/// between batches. Frames carry EtherType 0x88B7 and a sequence number; the receiver counts its
/// own frames and the gaps (frames the hub dropped at a full ring, as it does for pktgen's).
/// Prints "RATE regs-MODE FROM->TO sent=N received=N lost=N seconds=S fps=F" per direction; the
/// check fails when a frame is duplicated or reordered, or more than 5 % are lost.
/// </summary>
internal static class FrameRate
{
    /// <summary>Frames per direction (the burst of 100,000).</summary>
    public const int Frames = 100_000;
    private const int Batch = 32, Length = 60;
    private const ushort Type = 0x88B7;

    public static void Run(string igbBdf, string virtioBdf, VfioInterruptMode interrupts)
    {
        string mode = interrupts == VfioInterruptMode.None ? "poll" : "msix";
        bool interruptMode = interrupts != VfioInterruptMode.None;
        Scenarios.Guard($"frame-rate-{mode}", () =>
        {
            using var container = new VfioContainer();
            using VfioDevice igbDevice = container.OpenDevice(igbBdf);
            using VfioDevice virtioDevice = container.OpenDevice(virtioBdf);
            VfioHost igbHost = igbDevice.CreateHost("igb", Scenarios.DmaBytes, interrupts);
            VfioHost virtioHost = virtioDevice.CreateHost("virtio", Scenarios.DmaBytes, interrupts);
            NicStatus a = GuestNics.OpenIgb(igbHost, interruptMode, out var igb);
            NicStatus b = GuestNics.OpenVirtio(virtioHost, interruptMode, out var net);
            if (a != NicStatus.Ok || b != NicStatus.Ok) { Program.Check($"frame-rate-{mode}", $"initialisation: igb {a}, virtio {b}"); return; }
            string? failure = GuestProbes.LinksUp(ref igb, ref net);
            failure ??= Direction(ref igb, ref net, $"regs-{mode}", "igb->virtio", interruptMode);
            failure ??= Direction(ref net, ref igb, $"regs-{mode}", "virtio->igb", interruptMode);
            Program.Check($"frame-rate-{mode}", failure);
        });
    }

    private static string? Direction<TFrom, TTo>(ref TFrom from, ref TTo to, string label, string direction, bool interruptMode)
        where TFrom : struct, INic where TTo : struct, INic
    {
        byte[] txData = GC.AllocateArray<byte>(Batch * FrameBatch.SlotSize, pinned: true);
        byte[] rxData = GC.AllocateArray<byte>(Batch * FrameBatch.SlotSize, pinned: true);
        var txEntries = new FrameEntry[Batch];
        var rxEntries = new FrameEntry[Batch];
        MacAddress source = from.Mac, destination = to.Mac;
        var tx = new FrameBatch(txData, txEntries);
        for (int i = 0; i < Batch; i++)
        {
            Span<byte> frame = tx.Free().Slice(0, Length);
            frame.Clear();
            destination.CopyTo(frame);
            source.CopyTo(frame.Slice(6));
            frame[12] = Type >> 8;
            frame[13] = Type & 0xFF;
            tx.Commit(Length);
        }

        uint sent = 0, received = 0, next = 0, lost = 0;
        var clock = Stopwatch.StartNew();
        TimeSpan lastArrival = TimeSpan.Zero;
        // Until everything was sent and nothing arrived for 200 ms: a frame the receiver's ring had
        // no room for is lost on the hub (as with pktgen), counted, never waited for.
        while (sent < Frames || clock.Elapsed - lastArrival < TimeSpan.FromMilliseconds(200))
        {
            if (sent < Frames)
            {
                int count = (int)Math.Min(Batch, Frames - sent);
                for (int i = 0; i < count; i++) System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(tx.Frame(i).Slice(14), sent + (uint)i);
                var round = tx.Slice(0, count);
                sent += (uint)from.Send(round);
            }
            if (interruptMode) to.WaitForReceive(1_000);
            var rx = new FrameBatch(rxData, rxEntries);
            int n = to.Receive(ref rx);
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<byte> frame = rx.Frame(i);
                if (frame.Length < 18 || frame[12] != Type >> 8 || frame[13] != (Type & 0xFF)) continue;
                uint number = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame.Slice(14));
                if (number < next || number >= sent) return $"{direction}: frame {number} arrived after {next - 1} (duplicated, reordered or never sent)";
                lost += number - next;
                next = number + 1;
                received++;
                lastArrival = clock.Elapsed;
            }
            if (clock.Elapsed > TimeSpan.FromSeconds(60)) return $"{direction}: {received} of {Frames} frames within 60 s (sent {sent})";
        }
        lost += sent - next;
        double seconds = lastArrival.TotalSeconds;
        Program.Say($"RATE {label} {direction} sent={sent} received={received} lost={lost} seconds={seconds:F3} fps={received / seconds:F0}");
        // Losses are the hub's when a ring is full; most frames must still arrive.
        return received >= Frames * 95L / 100 ? null : $"{direction}: only {received} of {sent} frames arrived ({lost} lost)";
    }
}
