using System;
using Regs.Nic;
using Regs.Runtime;

namespace Regs.Probes;

/// <summary>Which received frames a wait is for.</summary>
internal interface IFrameFilter
{
    /// <summary>True for the frame the wait is for.</summary>
    bool Accept(ReadOnlySpan<byte> frame);
}

/// <summary>
/// A bounded wait for one frame: receives one frame at a time, so frames that arrive behind the
/// one waited for stay in the ring for the next wait.
/// </summary>
internal static class FrameWait
{
    /// <summary>How long one <see cref="INic.WaitForReceive"/> may sleep inside a wait.</summary>
    private const uint PollMicroseconds = 10_000;

    /// <summary>
    /// Receives until <paramref name="filter"/> accepts a frame, which is copied into
    /// <paramref name="frame"/>; returns its length, or 0 when <paramref name="timeoutMicroseconds"/>
    /// passed first. Frames not accepted are dropped and counted in <paramref name="ignored"/>.
    /// </summary>
    public static int Until<TNic, TClock, TFilter>(ref TNic nic, ref TFilter filter, Span<byte> frame, uint timeoutMicroseconds, ref int ignored)
        where TNic : INic where TClock : struct, IClock where TFilter : struct, IFrameFilter
    {
        Span<byte> data = stackalloc byte[FrameBatch.SlotSize];
        Span<FrameEntry> length = stackalloc FrameEntry[1];
        var batch = new FrameBatch(data, length);
        ulong start = TClock.NowMicroseconds(), elapsed;
        while ((elapsed = TClock.NowMicroseconds() - start) < timeoutMicroseconds)
        {
            // A plain local as the argument (see LinkProbe: a computed one makes Roslyn box default(TNic)).
            ulong left = timeoutMicroseconds - elapsed;
            uint pause = left < PollMicroseconds ? (uint)left : PollMicroseconds;
            nic.WaitForReceive(pause);
            if (nic.Receive(ref batch) == 0) continue;
            Span<byte> received = batch.Frame(0);
            if (filter.Accept(received) && received.Length <= frame.Length)
            {
                received.CopyTo(frame);
                return received.Length;
            }
            ignored++;
        }
        return 0;
    }

    /// <summary>Sends one frame; false when the transmit ring did not take it.</summary>
    public static bool Send<TNic>(ref TNic nic, ReadOnlySpan<byte> frame) where TNic : INic
    {
        Span<byte> data = stackalloc byte[FrameBatch.SlotSize];
        Span<FrameEntry> length = stackalloc FrameEntry[1];
        var batch = new FrameBatch(data, length);
        return batch.Add(frame) && nic.Send(batch) == 1;
    }
}
