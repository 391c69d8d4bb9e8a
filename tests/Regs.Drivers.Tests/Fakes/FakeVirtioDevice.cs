using System;
using System.Collections.Generic;
using Regs.Drivers.Virtio;
using Regs.Net;
using Regs.Virtio;

namespace Regs.Drivers.Tests.Fakes;

/// <summary>
/// A virtio network device whose every answer is scripted by the test, in the manner of rust
/// virtio-drivers' fake transport: offered features and the verdict on the driver's choice
/// (FEATURES_OK), how a reset completes (at once, after some status reads, never), the
/// configuration space and its generation counter (including changes in the middle of a read),
/// queue sizes, notifications and interrupt causes. It records what the driver did. Through
/// <see cref="FakeVirtioTransport"/> a driver sees it as any transport; the device side of the
/// queues (<see cref="FakeSplitQueue"/>) can move frames when a test needs traffic. It checks
/// nothing of its own and is no model of a real device: driver logic is tested apart from the
/// device models' fidelity.
/// </summary>
public sealed class FakeVirtioDevice
{
    private readonly FakeHostState _host;
    private readonly List<(int AtRead, Action<FakeVirtioDevice> Change)> _scheduled = new();
    private DeviceStatus _status;
    private int _resetReadsLeft;      // > 0: a reset is in progress, the status still reads the old value
    private bool _resetPending;
    private bool _msixAssigned;       // the driver gave the device an MSI-X vector since the last reset

    /// <summary>A device attached to <paramref name="host"/> (its interrupt line becomes the host's).</summary>
    public FakeVirtioDevice(FakeHostState host)
    {
        _host = host;
        host.InterruptPending = () => UsedInterrupt || ConfigInterrupt;
        host.TakeMessage = () => { UsedInterrupt = false; ConfigInterrupt = false; };
        Queues = new[] { new FakeSplitQueue(host, 0), new FakeSplitQueue(host, 1) };
    }

    // ------------------------------------------------------------------ script

    /// <summary>A modern (virtio 1.x) interface: FEATURES_OK and a generation counter. False: legacy.</summary>
    public bool Modern { get; set; } = true;

    /// <summary>The features the device offers.</summary>
    public VirtioNetFeatures Offered { get; set; }

    /// <summary>The device's verdict on the driver's features when FEATURES_OK is written (true: it stays set).</summary>
    public Func<VirtioNetFeatures, bool> AcceptsFeatures { get; set; } = _ => true;

    /// <summary>Status reads after a reset (status 0 written) that still return the old status; then the reset completes.</summary>
    public int ResetReads { get; set; }

    /// <summary>A reset never completes: the status keeps its old value.</summary>
    public bool ResetNeverCompletes { get; set; }

    /// <summary>Every configuration read changes the generation: the configuration never holds still.</summary>
    public bool GenerationChurns { get; set; }

    /// <summary>Largest size of each queue (0: the queue does not exist).</summary>
    public uint[] QueueSizeMax { get; } = { 8, 8 };

    /// <summary>Whether the device accepts MSI-X vectors (no fake host enables any).</summary>
    public bool SupportsMsix { get; set; }

    /// <summary>The device-specific configuration space (virtio-net layout, little-endian).</summary>
    public byte[] Config { get; } = new byte[32];

    /// <summary>Bytes of the configuration space the transport reports readable (virtio-pci: the DEVICE_CFG capability's length).</summary>
    public uint ConfigLength { get; set; } = 32;

    /// <summary>Completes transmit chains with the bytes read as used length (kvmtool) instead of 0 (QEMU).</summary>
    public bool ReportsTransmitLength { get; set; }

    /// <summary>The configuration generation (modern interfaces).</summary>
    public uint Generation { get; set; }

    /// <summary>Sets the MAC in the configuration space.</summary>
    public void SetMac(MacAddress mac) { for (int i = 0; i < 6; i++) Config[i] = mac[i]; }

    /// <summary>Sets VIRTIO_NET_S_LINK_UP in the configuration space.</summary>
    public void SetLinkUp(bool up) => Config[6] = up ? (byte)(Config[6] | 1) : (byte)(Config[6] & ~1);

    /// <summary>Sets the MTU in the configuration space.</summary>
    public void SetMtu(ushort mtu) { Config[10] = (byte)mtu; Config[11] = (byte)(mtu >> 8); }

    /// <summary>
    /// Changes the configuration, with a new generation and a configuration-change interrupt, just
    /// before the configuration read numbered <paramref name="atRead"/> (counting from 1 over the
    /// device's life, see <see cref="ConfigReads"/>) returns: a change in the middle of a read.
    /// </summary>
    public void ChangeConfigAt(int atRead, Action<FakeVirtioDevice> change) => _scheduled.Add((atRead, change));

    /// <summary>Changes the configuration now, as a device does: new generation, configuration-change interrupt.</summary>
    public void ChangeConfig(Action<FakeVirtioDevice> change)
    {
        change(this);
        Generation++;
        ConfigInterrupt = true;
    }

    /// <summary>The device hits an error it cannot recover from by itself: DEVICE_NEEDS_RESET and a configuration interrupt (2.1.2).</summary>
    public void RequestReset()
    {
        _status |= DeviceStatus.DEVICE_NEEDS_RESET;
        ConfigInterrupt = true;
    }

    /// <summary>The device is reset behind the driver's back: its status reads 0, its queues are gone.</summary>
    public void ResetBehindDriver() => CompleteReset();

    // ------------------------------------------------------------------ record

    /// <summary>The device status as the device holds it; a test may set it, as a previous owner (firmware, another driver) left it.</summary>
    public DeviceStatus Status { get => _status; set => _status = value; }

    /// <summary>Every status access in order: a write and the value written, or a read and the value returned, with the host time.</summary>
    public List<(bool Write, DeviceStatus Value, ulong Time)> StatusLog { get; } = new();

    /// <summary>Every status the driver wrote, in order.</summary>
    public List<DeviceStatus> StatusWrites => StatusLog.FindAll(e => e.Write).ConvertAll(e => e.Value);

    /// <summary>The features the driver last wrote; null since the last reset until it writes them.</summary>
    public VirtioNetFeatures? Accepted { get; private set; }

    /// <summary>Configuration-space reads so far.</summary>
    public int ConfigReads { get; private set; }

    /// <summary>Generation-counter reads so far.</summary>
    public int GenerationReads { get; private set; }

    /// <summary>Times the driver let the device DMA.</summary>
    public int DmaAllowed { get; private set; }

    /// <summary>The driver-side queues as the driver configured them.</summary>
    public FakeSplitQueue[] Queues { get; }

    /// <summary>Available-buffer notifications per queue.</summary>
    public int[] Notifications { get; } = new int[2];

    /// <summary>Notifications whose offset was not the one <see cref="FakeVirtioTransport.EnableQueue"/> gave for that queue.</summary>
    public int WrongNotifyOffsets { get; private set; }

    /// <summary>Interrupt-status (ISR) reads while an MSI-X vector was assigned (4.1.4.5.1: the driver MUST NOT).</summary>
    public int IsrReadsWithMsix { get; private set; }

    /// <summary>What the driver last asked of the line interrupt (PCI Command.InterruptDisable clear: true); null before it asked.</summary>
    public bool? LineInterruptEnabled { get; private set; }

    /// <summary>Receive buffers made available when the driver set DRIVER_OK (3.1.1: step 7 before 8); -1 before.</summary>
    public int ReceiveBuffersAtDriverOk { get; private set; } = -1;

    /// <summary>A used-buffer interrupt is pending.</summary>
    public bool UsedInterrupt { get; set; }

    /// <summary>A configuration-change interrupt is pending.</summary>
    public bool ConfigInterrupt { get; set; }

    /// <summary>The packet header this device uses: virtio_net_hdr_v1 with VERSION_1, else the legacy one (no MRG_RXBUF).</summary>
    public unsafe int HeaderLength
        => Accepted is { } f && (f & (VirtioNetFeatures.VERSION_1 | VirtioNetFeatures.MRG_RXBUF)) != 0 ? sizeof(VirtioNetHdr) : sizeof(VirtioNetHdrLegacy);

    /// <summary>True when the driver accepted MRG_RXBUF: every received header carries num_buffers (5.1.6.4).</summary>
    public bool Mergeable => Accepted is { } f && (f & VirtioNetFeatures.MRG_RXBUF) != 0;

    // ------------------------------------------------------------------ transport side

    internal DeviceStatus ReadStatus()
    {
        if (_resetPending && !ResetNeverCompletes && _resetReadsLeft-- <= 0) CompleteReset();
        StatusLog.Add((false, _status, _host.Now));
        return _status;
    }

    internal void WriteStatus(DeviceStatus status)
    {
        StatusLog.Add((true, status, _host.Now));
        if (status == 0)
        {
            _resetPending = true;
            _resetReadsLeft = ResetReads;
            if (!ResetNeverCompletes && ResetReads == 0) CompleteReset();
            return;
        }
        // A device refuses the features by leaving FEATURES_OK clear (3.1.1 step 6); it keeps
        // DEVICE_NEEDS_RESET until it is reset.
        bool newFeaturesOk = (status & DeviceStatus.FEATURES_OK) != 0 && (_status & DeviceStatus.FEATURES_OK) == 0;
        if (newFeaturesOk && !AcceptsFeatures(Accepted ?? 0)) status &= ~DeviceStatus.FEATURES_OK;
        if ((status & DeviceStatus.DRIVER_OK) != 0 && (_status & DeviceStatus.DRIVER_OK) == 0)
            ReceiveBuffersAtDriverOk = Queues[0].Enabled ? Queues[0].AvailableIndex : 0;
        _status = status | (_status & DeviceStatus.DEVICE_NEEDS_RESET);
    }

    internal ulong ReadFeatures() => (ulong)Offered;

    internal void WriteFeatures(ulong features) => Accepted = (VirtioNetFeatures)features;

    internal uint ReadGeneration()
    {
        GenerationReads++;
        return Modern ? Generation : 0;
    }

    internal uint ReadConfig(nuint offset, int bytes)
    {
        ConfigReads++;
        foreach (var (atRead, change) in _scheduled)
            if (atRead == ConfigReads) ChangeConfig(change);
        if (GenerationChurns) Generation++;
        uint value = 0;
        for (int i = 0; i < bytes; i++)
        {
            nuint at = offset + (nuint)i;
            value |= (uint)(at < (nuint)Config.Length ? Config[at] : 0) << (8 * i);
        }
        return value;
    }

    internal uint MaxQueueSize(uint queue) => queue < QueueSizeMax.Length ? QueueSizeMax[queue] : 0;

    internal bool EnableQueue(uint queue, uint size, ulong descriptors, ulong driverArea, ulong deviceArea, uint vector, out uint notifyOffset)
    {
        notifyOffset = NotifyOffset(queue);
        if (queue >= Queues.Length || size == 0 || size > QueueSizeMax[queue]) return false;
        if (vector != VirtioPciCap.NoVector && !SupportsMsix) return false;
        if (Queues[queue].Enabled) return false;
        if (vector != VirtioPciCap.NoVector) _msixAssigned = true;
        Queues[queue].Enable(size, descriptors, driverArea, deviceArea);
        return true;
    }

    internal bool SetConfigVector(uint vector)
    {
        if (vector != VirtioPciCap.NoVector && !SupportsMsix) return false;
        _msixAssigned = vector != VirtioPciCap.NoVector;
        return true;
    }

    internal void EnableLineInterrupt(bool enabled) => LineInterruptEnabled = enabled;

    internal void Notify(uint queue, uint notifyOffset)
    {
        if (queue < Notifications.Length) Notifications[queue]++;
        if (notifyOffset != NotifyOffset(queue)) WrongNotifyOffsets++;
    }

    internal VirtioInterrupt TakeInterrupt()
    {
        if (_msixAssigned) IsrReadsWithMsix++;
        var causes = new VirtioInterrupt(UsedInterrupt, ConfigInterrupt);
        UsedInterrupt = false;
        ConfigInterrupt = false;
        return causes;
    }

    internal void AllowDma() => DmaAllowed++;

    // Any value that is not the queue index, to check the driver hands back what it was given.
    private static uint NotifyOffset(uint queue) => 100 + 7 * queue;

    private void CompleteReset()
    {
        _resetPending = false;
        _msixAssigned = false;
        _status = 0;
        Accepted = null;
        UsedInterrupt = false;
        ConfigInterrupt = false;
        foreach (var q in Queues) q.Disable();
    }

    // ------------------------------------------------------------------ device side of traffic

    /// <summary>
    /// Takes every frame the driver made available on the transmit queue (1), returns them without
    /// their packet header, and marks them used (length 0: nothing written; with
    /// <see cref="ReportsTransmitLength"/> the bytes read).
    /// </summary>
    public List<byte[]> TakeTransmitted()
    {
        var frames = new List<byte[]>();
        FakeSplitQueue tx = Queues[1];
        while (tx.TryPopAvailable(out ushort head))
        {
            byte[] buffer = tx.ReadChain(head);
            frames.Add(buffer.AsSpan(HeaderLength).ToArray());
            tx.PushUsed(head, ReportsTransmitLength ? (uint)buffer.Length : 0);
            UsedInterrupt = true;
        }
        return frames;
    }

    /// <summary>
    /// Writes <paramref name="frame"/> behind a zeroed packet header into the next receive buffer
    /// (queue 0) and marks it used; false when the driver made no buffer available.
    /// </summary>
    public bool Deliver(ReadOnlySpan<byte> frame)
    {
        FakeSplitQueue rx = Queues[0];
        if (!rx.TryPopAvailable(out ushort head)) return false;
        byte[] bytes = new byte[HeaderLength + frame.Length];
        frame.CopyTo(bytes.AsSpan(HeaderLength));
        if (Mergeable) bytes[10] = 1;                             // num_buffers: one buffer
        uint written = rx.WriteChain(head, bytes);
        rx.PushUsed(head, written);
        UsedInterrupt = true;
        return true;
    }

    /// <summary>
    /// Writes <paramref name="frame"/> behind a packet header whose num_buffers is
    /// <paramref name="numBuffers"/> over the next receive buffers, each filled to its writable
    /// length before the next is taken (5.1.6.4, MRG_RXBUF), and marks the buffers used: as many as
    /// the bytes need, or <paramref name="usedBuffers"/> when given (fewer makes a frame that runs
    /// out). <paramref name="header"/> fills the rest of the header. Returns the buffers used.
    /// </summary>
    public int DeliverMerged(ReadOnlySpan<byte> frame, ushort numBuffers, int? usedBuffers = null, byte[]? header = null)
    {
        FakeSplitQueue rx = Queues[0];
        byte[] bytes = new byte[HeaderLength + frame.Length];
        header?.AsSpan(0, Math.Min(header.Length, 10)).CopyTo(bytes);
        frame.CopyTo(bytes.AsSpan(HeaderLength));
        bytes[10] = (byte)numBuffers;
        bytes[11] = (byte)(numBuffers >> 8);
        int at = 0, used = 0;
        while ((usedBuffers is { } n ? used < n : at < bytes.Length) && rx.TryPopAvailable(out ushort head))
        {
            uint written = rx.WriteChain(head, bytes.AsSpan(Math.Min(at, bytes.Length)));
            at += (int)written;
            rx.PushUsed(head, written);
            used++;
        }
        UsedInterrupt = true;
        return used;
    }
}

/// <summary>
/// The device's view of one split virtqueue the driver configured: it reads the available ring
/// and descriptor chains (direct or through one indirect table) and writes the used ring, in the
/// driver's DMA memory through the generated layouts.
/// </summary>
public sealed unsafe class FakeSplitQueue
{
    private readonly FakeHostState _host;
    private ushort _lastAvail;
    private ushort _usedIdx;

    internal FakeSplitQueue(FakeHostState host, uint index) { _host = host; Index = index; }

    /// <summary>The queue's index.</summary>
    public uint Index { get; }
    /// <summary>True between the driver enabling it and a reset.</summary>
    public bool Enabled { get; private set; }
    /// <summary>Entries, as the driver set it.</summary>
    public uint Size { get; private set; }
    /// <summary>Device address of the descriptor table.</summary>
    public ulong DescriptorArea { get; private set; }
    /// <summary>Device address of the available ring.</summary>
    public ulong DriverArea { get; private set; }
    /// <summary>Device address of the used ring.</summary>
    public ulong DeviceArea { get; private set; }

    /// <summary>The available ring's index as the driver published it.</summary>
    public ushort AvailableIndex => Avail->idx;

    private VirtqAvail* Avail => (VirtqAvail*)_host.Translate(DriverArea, VirtqAvail.SizeOf(Size));
    private VirtqUsed* Used => (VirtqUsed*)_host.Translate(DeviceArea, VirtqUsed.SizeOf(Size));

    internal void Enable(uint size, ulong descriptors, ulong driverArea, ulong deviceArea)
    {
        Size = size;
        DescriptorArea = descriptors;
        DriverArea = driverArea;
        DeviceArea = deviceArea;
        _lastAvail = 0;
        _usedIdx = 0;
        Enabled = true;
    }

    internal void Disable() => Enabled = false;

    /// <summary>The next chain head the driver made available, if any.</summary>
    public bool TryPopAvailable(out ushort head)
    {
        head = 0;
        if (!Enabled || Avail->idx == _lastAvail) return false;
        head = VirtqAvail.ring(Avail, (uint)(_lastAvail % Size)).Value;
        _lastAvail++;
        return true;
    }

    /// <summary>Returns chain <paramref name="head"/> with <paramref name="length"/> bytes written.</summary>
    public void PushUsed(uint head, uint length)
    {
        ref VirtqUsedElem element = ref VirtqUsed.ring(Used, (uint)(_usedIdx % Size));
        element.id = head;
        element.len = length;
        _usedIdx++;
        Used->idx = _usedIdx;
    }

    /// <summary>The segments of chain <paramref name="head"/>: (device address, length, device-writable).</summary>
    public List<(ulong Address, uint Length, bool Writable)> Chain(ushort head)
    {
        var segments = new List<(ulong, uint, bool)>();
        VirtqDesc* table = (VirtqDesc*)_host.Translate(DescriptorArea, (ulong)sizeof(VirtqDesc) * Size);
        uint count = Size;
        uint i = head % Size;
        if ((table[i].flags & VirtqDescFlags.INDIRECT) != 0)
        {
            count = table[i].len / (uint)sizeof(VirtqDesc);
            table = (VirtqDesc*)_host.Translate(table[i].addr, table[i].len);
            i = 0;
        }
        for (int n = 0; n < count; n++)
        {
            VirtqDesc* d = table + i % count;
            segments.Add((d->addr, d->len, (d->flags & VirtqDescFlags.WRITE) != 0));
            if ((d->flags & VirtqDescFlags.NEXT) == 0) break;
            i = d->next;
        }
        return segments;
    }

    /// <summary>The device-readable bytes of chain <paramref name="head"/>, concatenated.</summary>
    public byte[] ReadChain(ushort head)
    {
        var bytes = new List<byte>();
        foreach (var (address, length, writable) in Chain(head))
            if (!writable) bytes.AddRange(new ReadOnlySpan<byte>(_host.Translate(address, length), (int)length).ToArray());
        return bytes.ToArray();
    }

    /// <summary>Writes <paramref name="bytes"/> across the device-writable segments of chain <paramref name="head"/>; returns the bytes written.</summary>
    public uint WriteChain(ushort head, ReadOnlySpan<byte> bytes)
    {
        int at = 0;
        foreach (var (address, length, writable) in Chain(head))
        {
            if (!writable || at == bytes.Length) continue;
            int n = Math.Min((int)length, bytes.Length - at);
            bytes.Slice(at, n).CopyTo(new Span<byte>(_host.Translate(address, (ulong)n), n));
            at += n;
        }
        return (uint)at;
    }
}
