using System;
using System.Threading;
using Regs.Nic;
using Regs.Runtime.Hosted;
using Regs.Runtime.Hosted.Tap;

namespace Regs.Tap;

/// <summary>
/// Exposes a Regs NIC as a Linux TAP interface: frames the kernel sends out of the interface are
/// read (with their virtio-net header, turned into each frame's <see cref="FrameOffload"/>) into a
/// <see cref="FrameBatch"/> and given to the NIC's <c>Send</c>; frames the NIC receives are written
/// to the interface with a header saying what the NIC checked or coalesced. The interface carries
/// the NIC's MAC address, so the kernel's stack is the NIC's station. Buffers are made once (pinned
/// arrays); a round allocates nothing. One thread pumps (<see cref="Run"/> or <see cref="RunOnce"/>);
/// <see cref="Counters"/> and <see cref="Stop"/> may be used from others.
/// </summary>
public sealed class NicTapBridge<TNic> where TNic : struct, INic
{
    private TNic _nic;
    private readonly TapInterface _tap;
    private readonly TapBridgeOptions _options;
    private readonly NicOffloads _offloads;
    private readonly int _readLimit;

    private readonly byte[] _txData, _rxData;
    private readonly FrameEntry[] _txFrames, _rxFrames;
    // Frames read from the tap and not yet all consumed by Send: [_txSent, _txCount) are pending.
    private int _txCount, _txSent;
    private ulong _txStalledSince;
    private TapBridgeCounters _counters;
    private volatile bool _stop;
    private ulong _lastMoved;
    private readonly int[] _interruptWait;

    /// <summary>
    /// A bridge between <paramref name="nic"/> (initialised, in interrupt mode when
    /// <paramref name="options"/> asks for it) and <paramref name="tap"/> (from
    /// <see cref="OpenTap"/>, or opened to match the NIC: its offloads must not exceed the NIC's).
    /// </summary>
    public NicTapBridge(TNic nic, TapInterface tap, TapBridgeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tap);
        _nic = nic;
        _tap = tap;
        _options = options ?? new TapBridgeOptions();
        if (_options.BatchFrames < 1) throw new ArgumentOutOfRangeException(nameof(options), "BatchFrames must be at least 1");
        _offloads = nic.Offloads;
        if ((tap.Offloads & ~TapOffloadMapping.ForNic(_offloads)) != 0)
            throw new ArgumentException($"{tap.Name} hands over {tap.Offloads} unfinished but the NIC does only {_offloads}", nameof(tap));
        // The longest frame the kernel may hand over: a segmentation train with TSO, else the MTU
        // plus the Ethernet header and a VLAN tag. The read gives at least this much room so the
        // kernel never cuts a frame.
        _readLimit = (tap.Offloads & (TunOffloads.TcpSegmentationV4 | TunOffloads.TcpSegmentationV6)) != 0
            ? FrameBatch.MaxLength : Math.Min(FrameBatch.MaxLength, tap.Mtu + 18);
        int receiveLongest = Math.Max(nic.MaxFrameLength, tap.Mtu + 18);
        if ((_offloads & (NicOffloads.RxTcpCoalescingV4 | NicOffloads.RxTcpCoalescingV6)) != 0) receiveLongest = FrameBatch.MaxLength;
        _txData = GC.AllocateArray<byte>(SlotsFor(_options.BatchFrames, _readLimit) * FrameBatch.SlotSize, pinned: true);
        _rxData = GC.AllocateArray<byte>(SlotsFor(_options.BatchFrames, receiveLongest) * FrameBatch.SlotSize, pinned: true);
        _txFrames = new FrameEntry[_options.BatchFrames];
        // The descriptors an interrupt-mode idle wait polls besides the tap: the caller's wake-ups, then the NIC's interrupt.
        _interruptWait = new int[_options.WakeDescriptors.Length + _options.InterruptDescriptors.Length];
        _options.WakeDescriptors.CopyTo(_interruptWait, 0);
        _options.InterruptDescriptors.CopyTo(_interruptWait, _options.WakeDescriptors.Length);
        if (_interruptWait.Length > 15) throw new ArgumentException("at most 15 wake and interrupt descriptors together", nameof(options));
        _rxFrames = new FrameEntry[_options.BatchFrames];
    }

    // One slot per frame plus room for one longest frame.
    private static int SlotsFor(int frames, int longest) => frames + (longest + FrameBatch.SlotSize - 1) / FrameBatch.SlotSize;

    /// <summary>
    /// Opens a TAP interface that is <paramref name="nic"/>: its MAC address, MTU
    /// (<c>MaxFrameLength</c> - 18: the Ethernet header and one VLAN tag) and the offloads it can
    /// finish (<see cref="TapOffloadMapping.ForNic"/>). Throws <see cref="TapException"/>.
    /// </summary>
    public static TapInterface OpenTap(ref TNic nic, string? name, bool up)
    {
        Span<byte> mac = stackalloc byte[6];
        nic.Mac.CopyTo(mac);
        NicOffloads offloads = nic.Offloads;
        return TapInterface.Open(name, mac, nic.MaxFrameLength - 18, TapOffloadMapping.ForNic(offloads), up);
    }

    /// <summary>The NIC (the bridge's copy; use it from the pumping thread only).</summary>
    public ref TNic Nic => ref _nic;

    /// <summary>The TAP interface.</summary>
    public TapInterface Tap => _tap;

    /// <summary>The counters now (a copy; may be read from another thread while the pump runs).</summary>
    public TapBridgeCounters Counters => _counters;

    /// <summary>Frames read from the TAP interface that the NIC has not taken yet.</summary>
    public int PendingToNic => _txCount - _txSent;

    /// <summary>True once the TAP interface went away under the bridge (reads fail with EBADFD); <see cref="Run"/> then returns.</summary>
    public bool InterfaceGone { get; private set; }

    /// <summary>Ends <see cref="Run"/> within one round (thread-safe).</summary>
    public void Stop() => _stop = true;

    /// <summary>
    /// Pumps until <paramref name="cancellation"/> is cancelled or <see cref="Stop"/> is called;
    /// each idle wait is bounded (a millisecond, <see cref="TapBridgeOptions.InterruptSliceMicroseconds"/>
    /// or <see cref="TapBridgeOptions.InterruptPollMilliseconds"/>),
    /// so it returns within about that.
    /// </summary>
    public void Run(CancellationToken cancellation = default)
    {
        while (!_stop && !cancellation.IsCancellationRequested)
        {
            int moved = RunOnce();
            if (moved > 0)
            {
                _lastMoved = 0;
                continue;
            }
            IdleWait();
        }
    }

    /// <summary>One round: reads the TAP interface until EAGAIN or a batch is full and sends, then receives one batch from the NIC and writes it out. Returns the frames moved.</summary>
    public int RunOnce()
    {
        _counters.Rounds++;
        return TapToNic() + NicToTap();
    }

    private void IdleWait()
    {
        _counters.IdleWaits++;
        if (!_options.Interrupts)
        {
            // Polling must not starve the kernel on a single CPU (it produces what we read):
            // yield for a while, then sleep in poll() on the tap for a millisecond at most.
            ulong now = MonotonicClock.NowMicroseconds();
            if (_lastMoved == 0) _lastMoved = now;
            if (now - _lastMoved < _options.IdleSpinMicroseconds) Thread.Yield();
            else _tap.Wait(_options.IdlePollMilliseconds, _options.WakeDescriptors);
            return;
        }
        if (PendingToNic > 0)
        {
            Thread.Yield();   // the transmit ring is full: completions free it, nothing to sleep on
            return;
        }
        if (_options.InterruptDescriptors.Length > 0)
        {
            // Interrupt mode with the NIC's descriptors: arm (the driver enables the interrupt, then
            // re-checks its ring), sleep in one poll() on the tap and the NIC's eventfds, and let the
            // driver acknowledge what woke it (eventfd count, ICR or ISR, notifications off again).
            if (_nic.ArmInterrupt())
            {
                _counters.CombinedWaits++;
                _tap.Wait(_options.InterruptPollMilliseconds, _interruptWait);
                _nic.AcknowledgeInterrupt();
                return;
            }
            // Not armed: a frame is already there (receive it next round), or the NIC is not in
            // interrupt mode or not running (its own bounded wait below).
            if (_nic.WaitForReceive(0)) return;
        }
        // Without the NIC's descriptors the sleep is the driver's (WaitForReceive arms, sleeps on
        // the device's interrupt and acknowledges it); the tap is looked at between slices.
        if (_tap.Wait(0, _options.WakeDescriptors) != 0) return;
        uint slice = _options.InterruptSliceMicroseconds;
        _nic.WaitForReceive(slice);
    }

    private int TapToNic()
    {
        Span<byte> txData = _txData;
        Span<FrameEntry> txFrames = _txFrames;
        if (_txCount == 0)
        {
            var batch = new FrameBatch(txData, txFrames);
            VirtioNetHeader header = default;
            while (true)
            {
                Span<byte> free = batch.Free();
                if (free.Length < _readLimit) break;
                int n = _tap.Read(ref header, free.Slice(0, _readLimit));
                if (n < 0)
                {
                    if (n != -11) _counters.TapReadErrors++;   // -EAGAIN: nothing more now
                    if (n == -77)
                    {
                        // EBADFD: the interface is gone (deleted, or its network namespace was); nothing more will come.
                        InterfaceGone = true;
                        _stop = true;
                    }
                    break;
                }
                Span<byte> frame = free.Slice(0, n);
                TapFrameVerdict verdict = TapOffloadMapping.Prepare(header, frame, _offloads, out FrameOffload offload);
                if (verdict == TapFrameVerdict.Refused)
                {
                    _counters.TapFramesRefused++;
                    continue;
                }
                if (verdict == TapFrameVerdict.ChecksumCompleted) _counters.SoftwareChecksums++;
                else if (!offload.IsPlain)
                {
                    _counters.OffloadedToNic++;
                    if (offload.GsoType != FrameOffload.GsoNone) _counters.SegmentationTrains++;
                }
                int index = batch.Commit(n);
                if (index < 0) break;   // cannot happen: the free space was checked
                batch.Offload(index) = offload;
            }
            _txCount = batch.Count;
            _txSent = 0;
            if (_txCount == 0) return 0;
        }

        FrameBatch pending = FrameBatch.Resume(txData, txFrames, _txCount).Skip(_txSent);
        int sent = _nic.Send(pending);
        for (int i = 0; i < sent; i++) _counters.TapToNicBytes += (ulong)pending.Length(i);
        _counters.TapToNicFrames += (ulong)sent;
        _txSent += sent;
        if (_txSent >= _txCount)
        {
            _txCount = _txSent = 0;
            _txStalledSince = 0;
        }
        else if (sent > 0 || _txStalledSince == 0) _txStalledSince = MonotonicClock.NowMicroseconds();
        else if (MonotonicClock.NowMicroseconds() - _txStalledSince > _options.TransmitStallMicroseconds)
        {
            // The NIC took nothing for this long (link down, a device being reset): drop, count, go on.
            _counters.TransmitStallDrops += (ulong)(_txCount - _txSent);
            _txCount = _txSent = 0;
            _txStalledSince = 0;
        }
        return sent;
    }

    private int NicToTap()
    {
        var batch = new FrameBatch(_rxData, _rxFrames);
        int received = _nic.Receive(ref batch);
        for (int i = 0; i < received; i++)
        {
            VirtioNetHeader header = TapOffloadMapping.ToHeader(batch.Offload(i));
            ReadOnlySpan<byte> frame = batch.Frame(i);
            int written = _tap.Write(header, frame);
            if (written == -11)
            {
                // EAGAIN: the kernel's backlog is full; give it a moment once, then drop.
                _counters.TapWriteAgain++;
                _tap.Wait(1, default, writable: true);
                written = _tap.Write(header, frame);
            }
            if (written < 0)
            {
                _counters.TapWriteDrops++;
                continue;
            }
            _counters.NicToTapFrames++;
            _counters.NicToTapBytes += (ulong)frame.Length;
        }
        return received;
    }
}
