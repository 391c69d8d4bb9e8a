using System;
using Regs.Nic;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>The batch contract drivers and bridges rely on: frames span slots, offloads travel with frames, views never write.</summary>
[Trait("Category", "Model")]
public sealed class FrameBatchTests
{
    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        for (int i = 0; i < length; i++) bytes[i] = (byte)(seed * 31 + i * 7);
        return bytes;
    }

    [Fact]
    public void A_jumbo_frame_spans_consecutive_slots_and_stays_one_span()
    {
        var batch = new FrameBatch(new byte[8 * FrameBatch.SlotSize], new FrameEntry[8]);
        byte[] small = Pattern(60, 1), jumbo = Pattern(9018, 2), after = Pattern(1514, 3);
        Assert.True(batch.Add(small));
        Assert.True(batch.Add(jumbo));     // 5 slots
        Assert.True(batch.Add(after));
        Assert.Equal(3, batch.Count);
        Assert.True(batch.Frame(0).SequenceEqual(small));
        Assert.True(batch.Frame(1).SequenceEqual(jumbo));
        Assert.True(batch.Frame(2).SequenceEqual(after));
        Assert.Equal(1 * FrameBatch.SlotSize, batch.FreeBytes);   // 1 + 5 + 1 of 8 slots used
        Assert.False(batch.Add(Pattern(FrameBatch.SlotSize + 1, 4)));
        Assert.Equal(3, batch.Count);
        Assert.True(batch.Add(Pattern(FrameBatch.SlotSize, 5)));
        Assert.True(batch.IsFull);
        Assert.True(batch.Free().IsEmpty);
        Assert.Equal(-1, batch.Commit(0));
    }

    [Fact]
    public void Commit_refuses_lengths_outside_the_free_space_and_changes_nothing()
    {
        var batch = new FrameBatch(new byte[2 * FrameBatch.SlotSize], new FrameEntry[4]);
        Assert.Equal(-1, batch.Commit(-1));
        Assert.Equal(-1, batch.Commit(2 * FrameBatch.SlotSize + 1));
        Assert.Equal(0, batch.Count);
        Assert.Equal(0, batch.Commit(0));                  // an empty frame still takes a slot
        Assert.Equal(FrameBatch.SlotSize, batch.FreeBytes);
        Assert.Equal(1, batch.Commit(FrameBatch.SlotSize));
        Assert.True(batch.IsFull);
    }

    [Fact]
    public void The_frame_entries_bound_the_count_as_well_as_the_slots()
    {
        var batch = new FrameBatch(new byte[4 * FrameBatch.SlotSize], new FrameEntry[2]);
        Assert.Equal(2, batch.Capacity);
        Assert.True(batch.Add(Pattern(60, 1)));
        Assert.True(batch.Add(Pattern(60, 2)));
        Assert.Equal(0, batch.FreeBytes);
        Assert.False(batch.Add(Pattern(60, 3)));
    }

    [Fact]
    public void Offload_metadata_travels_with_its_frame_and_a_new_frame_starts_plain()
    {
        var batch = new FrameBatch(new byte[4 * FrameBatch.SlotSize], new FrameEntry[4]);
        var tso = new FrameOffload { Flags = FrameOffload.NeedsChecksum, GsoType = FrameOffload.GsoTcpV4, HeaderLength = 66, SegmentSize = 1448, ChecksumStart = 34, ChecksumOffset = 16 };
        Assert.True(batch.Add(Pattern(3000, 1), tso));
        Assert.True(batch.Add(Pattern(60, 2)));
        Assert.Equal(1448, batch.Offload(0).SegmentSize);
        Assert.False(batch.Offload(0).IsPlain);
        Assert.True(batch.Offload(1).IsPlain);
        batch.Offload(1).Checks = FrameOffload.L4Checked;
        Assert.Equal(FrameOffload.L4Checked, batch.Offload(1).Checks);

        // Reused storage: a committed frame never inherits the previous occupant's metadata.
        batch.Clear();
        Assert.Equal(0, batch.Commit(60));
        Assert.True(batch.Offload(0).IsPlain);
        Assert.Equal(0, batch.Offload(0).Checks);
    }

    [Fact]
    public void Skip_and_Slice_are_read_only_views_of_the_same_frames()
    {
        byte[] data = new byte[8 * FrameBatch.SlotSize];
        var batch = new FrameBatch(data, new FrameEntry[8]);
        for (int i = 0; i < 4; i++) Assert.True(batch.Add(Pattern(i == 1 ? 5000 : 100 + i, i)));

        var rest = batch.Skip(1);
        Assert.Equal(3, rest.Count);
        Assert.True(rest.Frame(0).SequenceEqual(Pattern(5000, 1)));
        Assert.True(rest.Frame(2).SequenceEqual(Pattern(103, 3)));
        Assert.True(rest.Free().IsEmpty);
        Assert.False(rest.Add(Pattern(60, 9)));
        rest.Clear();
        Assert.Equal(-1, rest.Commit(60));                // cleared, still a view: frame 0's bytes are safe
        Assert.True(batch.Frame(0).SequenceEqual(Pattern(100, 0)));

        var middle = batch.Slice(1, 2);
        Assert.Equal(2, middle.Count);
        Assert.True(middle.Frame(1).SequenceEqual(Pattern(102, 2)));
        Assert.Equal(0, batch.Skip(10).Count);
        Assert.Equal(0, batch.Slice(-3, -1).Count);
        Assert.Equal(4, batch.Slice(-3, 100).Count);
    }

    [Fact]
    public void Resume_recovers_prepared_frames_and_stops_at_entries_outside_the_memory()
    {
        byte[] data = new byte[4 * FrameBatch.SlotSize];
        var entries = new FrameEntry[4];
        var batch = new FrameBatch(data, entries);
        Assert.True(batch.Add(Pattern(3000, 1)));
        Assert.True(batch.Add(Pattern(70, 2)));

        var again = FrameBatch.Resume(data, entries, 2);
        Assert.Equal(2, again.Count);
        Assert.True(again.Frame(0).SequenceEqual(Pattern(3000, 1)));
        Assert.True(again.Frame(1).SequenceEqual(Pattern(70, 2)));

        // Over less memory than the entries were written for, the frames that would not lie inside end it.
        var shorter = FrameBatch.Resume(data.AsSpan(0, 2 * FrameBatch.SlotSize), entries, 2);
        Assert.Equal(1, shorter.Count);
        Assert.Equal(0, FrameBatch.Resume(data.AsSpan(0, FrameBatch.SlotSize), entries, 2).Count);
        // Entries never written (zero) are empty frames at offset 0: inside, so they count.
        Assert.Equal(4, FrameBatch.Resume(data, entries, 99).Count);
    }
}
