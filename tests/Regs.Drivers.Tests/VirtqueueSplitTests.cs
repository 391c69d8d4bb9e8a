using System;
using System.Runtime.InteropServices;
using Regs.Drivers.Virtio;
using Regs.Runtime;
using Regs.Runtime.Hosted;
using Regs.Virtio;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>
/// The split ring's driver side against a device that writes impossible things into the used
/// ring: each must come back as a protocol error, never as a buffer.
/// </summary>
[Trait("Category", "Model")]
public sealed unsafe class VirtqueueSplitTests : IDisposable
{
    private readonly byte* _memory = (byte*)NativeMemory.AlignedAlloc(1 << 20, 4096);
    private readonly VirtqueueSplit* _queue;

    public VirtqueueSplitTests()
    {
        var host = new ArenaHost(new DmaArena(_memory, 0x10_0000, 1 << 20));
        _queue = VirtqueueSplit.Create(ref host, 8);
        Assert.True(_queue != null);
        _queue->Reset(eventIdx: false);
    }

    public void Dispose() => NativeMemory.AlignedFree(_memory);

    // The device's side: the used ring is at the device area, in the same arena.
    private VirtqUsed* Used => (VirtqUsed*)(_memory + (_queue->DeviceArea - 0x10_0000));

    private void DeviceReturns(ushort index, uint id, uint length)
    {
        ref VirtqUsedElem element = ref VirtqUsed.ring(Used, (uint)(index % 8));
        element.id = id;
        element.len = length;
        Used->idx = (ushort)(index + 1);
    }

    [Fact]
    public void A_posted_buffer_comes_back_with_its_length()
    {
        Assert.True(_queue->Post(3, 100));
        Assert.False(_queue->Post(3, 100));                  // already with the device
        _queue->Publish();
        DeviceReturns(0, 3, 60);
        Assert.Equal(UsedResult.Taken, _queue->TryTakeUsed(out uint head, out uint length));
        Assert.Equal((3u, 60u), (head, length));
        Assert.Equal(UsedResult.Empty, _queue->TryTakeUsed(out _, out _));
    }

    [Theory]
    [InlineData(8u, 10u)]        // id beyond the queue
    [InlineData(5u, 10u)]        // an id never posted
    [InlineData(3u, 101u)]       // longer than the buffer posted
    public void An_impossible_used_element_is_a_protocol_error(uint id, uint length)
    {
        Assert.True(_queue->Post(3, 100));
        _queue->Publish();
        DeviceReturns(0, id, length);
        Assert.Equal(UsedResult.ProtocolError, _queue->TryTakeUsed(out _, out _));
    }

    [Fact]
    public void A_used_index_running_ahead_of_what_was_posted_is_a_protocol_error()
    {
        Assert.True(_queue->Post(1, 100));
        _queue->Publish();
        Used->idx = 2;                                        // two returned, one posted
        Assert.Equal(UsedResult.ProtocolError, _queue->TryTakeUsed(out _, out _));
        Used->idx = 0xFFFF;                                   // "backwards": 65535 ahead
        Assert.Equal(UsedResult.ProtocolError, _queue->TryTakeUsed(out _, out _));
    }

    [Fact]
    public void A_buffer_returned_twice_is_a_protocol_error_the_second_time()
    {
        Assert.True(_queue->Post(2, 100));
        Assert.True(_queue->Post(4, 100));
        _queue->Publish();
        DeviceReturns(0, 2, 10);
        DeviceReturns(1, 2, 10);
        Assert.Equal(UsedResult.Taken, _queue->TryTakeUsed(out _, out _));
        Assert.Equal(UsedResult.ProtocolError, _queue->TryTakeUsed(out _, out _));
    }

    [Fact]
    public void Notifications_follow_the_device_flag_or_avail_event()
    {
        Assert.True(_queue->Post(0, 10));
        Assert.True(_queue->Publish());                      // device has not asked for silence
        Used->flags = VirtqUsedFlags.NO_NOTIFY;
        Assert.True(_queue->Post(1, 10));
        Assert.False(_queue->Publish());

        _queue->Reset(eventIdx: true);
        VirtqUsed.avail_event(Used, 8).Value = 1;             // wake me when index 1 is made available
        Assert.True(_queue->Post(0, 10));
        Assert.False(_queue->Publish());                     // idx 0 -> 1 does not pass event 1
        Assert.True(_queue->Post(1, 10));
        Assert.True(_queue->Publish());                      // idx 1 -> 2 passes it
    }

    /// <summary>A driver host over one arena, for tests of driver pieces without a device.</summary>
    private readonly struct ArenaHost : IDriverHost
    {
        private readonly DmaArena _arena;
        public ArenaHost(DmaArena arena) { _arena = arena; }
        public ulong NowMicroseconds() => MonotonicClock.NowMicroseconds();
        public void Delay(uint microseconds) => MonotonicClock.Delay(microseconds);
        public void Log(ReadOnlySpan<byte> utf8Line) { }
        public void* AllocatePrivate(nuint length) => _arena.Allocate(length, 64).Cpu;
        public DmaBuffer AllocateDma(nuint length, nuint alignment) => _arena.Allocate(length, alignment);
        public bool TranslatesDma => false;
        public uint InterruptVectors => 0;
        public bool WaitForInterrupt(uint timeoutMicroseconds) => false;
    }
}
