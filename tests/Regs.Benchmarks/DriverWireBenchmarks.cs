using System;
using System.Threading;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using Regs.Benchmarks.Wire;
using Regs.Drivers.Igb;
using Regs.Drivers.Virtio;
using Regs.Igb;
using Regs.Nic;
using Regs.Runtime;
using Regs.Runtime.Models;
using Regs.Runtime.Models.Igb;
using Regs.Runtime.Models.Virtio;
using Regs.Virtio;

namespace Regs.Benchmarks;

/// <summary>
/// The drivers' own cost per packet. Two ports back to back; each invocation sends one batch of
/// 64-byte frames from A and receives them all on B. Four ways, per batch size:
/// <list type="bullet">
/// <item><c>Driver</c>: the real driver (initialised against the in-process device model, then
/// moved to plain-memory registers, <see cref="WireAccess"/>) with the minimal wire device
/// (<see cref="IgbWire"/>, <see cref="VirtioWire"/>) moving frames between the rings;</item>
/// <item><c>HandWritten</c> (the baseline of each category): a minimal raw-pointer ring loop doing
/// the same work (<see cref="HandWrittenIgb"/>, <see cref="HandWrittenVirtio"/>) with the same wire device;</item>
/// <item><c>DeviceOnly</c>: the wire device alone moving the same batch, replayed from a restored
/// ring state; <c>RestoreOnly</c>: that restore alone. Device cost = DeviceOnly - RestoreOnly,
/// subtracted from both of the above in docs/performance.md.</item>
/// </list>
/// igb rings have 512 descriptors here so that a batch of 256 fits (the driver keeps one empty);
/// virtio queues have 256 entries (all usable). Figures are per packet.
/// </summary>
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 10)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public unsafe class DriverWireBenchmarks
{
    private const int MaxBatch = 256;
    private const int FrameLength = 64;
    private const uint IgbRing = 512;
    private const ushort VirtioQueue = 256;

    [Params("igb", "virtio")]
    public string Driver { get; set; } = "";

    private ModelNetwork _network = null!;
    private DeviceModel _modelA = null!, _modelB = null!;
    private NicEnds<IgbNic<WireAccess, WireHost>> _igb;
    private NicEnds<VirtioNet<WireAccess, VirtioPciTransport<WireAccess>, WireHost>> _virtio;
    private HandWrittenIgbEnds _handIgb;
    private HandWrittenVirtioEnds _handVirtio;
    private IgbWireDevice _igbWire, _handIgbWire;          // ports [0] A, [1] B
    private VirtioWireDevice _virtioWire, _handVirtioWire;
    private ReplayState _replay;
    private byte[] _txData = null!, _rxData = null!;
    private FrameEntry[] _txLengths = null!, _rxLengths = null!;

    [GlobalSetup]
    public void Setup()
    {
        Regs.Runtime.Hosted.ConsoleLog.Enabled = false;
        _txData = GC.AllocateArray<byte>(MaxBatch * FrameBatch.SlotSize, pinned: true);
        _rxData = GC.AllocateArray<byte>(MaxBatch * FrameBatch.SlotSize, pinned: true);
        _txLengths = GC.AllocateArray<FrameEntry>(MaxBatch, pinned: true);
        _rxLengths = GC.AllocateArray<FrameEntry>(MaxBatch, pinned: true);

        _network = new ModelNetwork();
        byte[] macA = { 0x02, 0, 0, 0, 0, 1 }, macB = { 0x02, 0, 0, 0, 0, 2 };
        if (Driver == "igb")
        {
            _modelA = new IgbModel(_network, macA, 0x4000_0000, 16 << 20);
            _modelB = new IgbModel(_network, macB, 0x8000_0000, 16 << 20);
            _network.Connect(_modelA, _modelB);
            _igbWire = new IgbWireDevice { A = Alloc<IgbWirePort>(1), B = Alloc<IgbWirePort>(1) };
            _igb.A = OpenIgb(_modelA, "A", out *_igbWire.A);
            _igb.B = OpenIgb(_modelB, "B", out *_igbWire.B);
            _handIgb.Loop = Alloc<HandWrittenIgb>(1);
            _handIgbWire = new IgbWireDevice { A = Alloc<IgbWirePort>(1), B = Alloc<IgbWirePort>(1) };
            *_handIgb.Loop = HandWrittenIgb.Create(IgbRing, out *_handIgbWire.A, out *_handIgbWire.B);
        }
        else
        {
            _modelA = new VirtioPciModel(_network, macA, dmaDeviceAddress: 0x4000_0000, dmaBytes: 16 << 20);
            _modelB = new VirtioPciModel(_network, macB, dmaDeviceAddress: 0x8000_0000, dmaBytes: 16 << 20);
            _network.Connect(_modelA, _modelB);
            _virtioWire = new VirtioWireDevice { A = Alloc<VirtioWirePort>(1), B = Alloc<VirtioWirePort>(1) };
            _virtio.A = OpenVirtio((VirtioPciModel)_modelA, "A", out *_virtioWire.A);
            _virtio.B = OpenVirtio((VirtioPciModel)_modelB, "B", out *_virtioWire.B);
            _handVirtio.Loop = Alloc<HandWrittenVirtio>(1);
            _handVirtioWire = new VirtioWireDevice { A = Alloc<VirtioWirePort>(1), B = Alloc<VirtioWirePort>(1) };
            *_handVirtio.Loop = HandWrittenVirtio.Create(VirtioQueue, out *_handVirtioWire.A, out *_handVirtioWire.B);
        }

        var tx = new FrameBatch(_txData, _txLengths);
        for (int i = 0; i < MaxBatch; i++)
        {
            Span<byte> slot = tx.Free().Slice(0, FrameBatch.SlotSize);
            macB.CopyTo(slot);
            macA.CopyTo(slot.Slice(6));
            slot[12] = 0x88; slot[13] = 0xB5;    // local experimental ethertype
            for (int j = 14; j < FrameLength; j++) slot[j] = (byte)(i + j);
            tx.Commit(FrameLength);
        }

        // One checked round of each way before measuring: a wiring mistake fails here.
        for (int round = 0; round < 3; round++)
        {
            Check(Driver_(MaxBatch), "driver");
            Check(Hand(MaxBatch), "hand-written");
        }
    }

    private void Check(int received, string what)
    {
        if (received != MaxBatch) throw new InvalidOperationException($"{what}: {received} of {MaxBatch} frames");
        var tx = FrameBatch.Resume(_txData, _txLengths, MaxBatch);
        var rx = FrameBatch.Resume(_rxData, _rxLengths, _lastReceiveCount);
        // The last Receive call holds the tail of the batch; its frames must be the ones sent.
        for (int i = 0; i < _lastReceiveCount; i++)
        {
            int sentIndex = MaxBatch - _lastReceiveCount + i;
            if (!rx.Frame(i).SequenceEqual(tx.Frame(sentIndex)))
                throw new InvalidOperationException($"{what}: frame {sentIndex} arrived corrupted");
        }
    }

    private static T* Alloc<T>(int count) where T : unmanaged
        => (T*)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)count, (nuint)sizeof(T));

    private static IgbNic<WireAccess, WireHost> OpenIgb(DeviceModel model, string name, out IgbWirePort port)
    {
        var host = new WireHost(model, name);
        IgbOptions options = IgbOptions.Default;
        options.RxRingSize = IgbRing;
        options.TxRingSize = IgbRing;
        var status = IgbNic<WireAccess, WireHost>.Initialise(host, options, out var nic);
        if (status != NicStatus.Ok) throw new InvalidOperationException($"igb initialise: {status}");
        for (int i = 0; i < 400 && !nic.Link().Up; i++) Thread.Sleep(5);
        if (!nic.Link().Up) throw new InvalidOperationException("igb link did not come up");

        // Where the driver put its rings and where the device stands, read from the model.
        if (!host.TryMapBar(0, out WireAccess bar0, out _)) throw new InvalidOperationException("no BAR 0");
        var regs = new Igb<WireAccess>(bar0);
        var tq = regs.TxQueue(0);
        var rq = regs.RxQueue(0);
        DmaBuffer dma = model.Dma.Whole;
        port = new IgbWirePort
        {
            TxRing = model.Dma.Translate(tq.TDBAL.Read() | (ulong)tq.TDBAH.Read() << 32, IgbRing * 16),
            RxRing = model.Dma.Translate(rq.RDBAL.Read() | (ulong)rq.RDBAH.Read() << 32, IgbRing * 16),
            TxSize = tq.TDLEN.Read() / 16,
            RxSize = rq.RDLEN.Read() / 16,
            TxHead = tq.TDH.Read(),
            RxHead = rq.RDH.Read(),
            DmaCpu = dma.Cpu,
            DmaDevice = dma.Device,
        };
        if (port.TxRing == null || port.RxRing == null || port.TxSize != IgbRing || port.RxSize != IgbRing)
            throw new InvalidOperationException("igb rings not where expected");
        host.GoLive(0, IgbModel.RegisterBytes);
        port.Registers = new Igb<MmioPointer<NoClock>>(host.File(0));
        return nic;
    }

    private static VirtioNet<WireAccess, VirtioPciTransport<WireAccess>, WireHost> OpenVirtio(VirtioPciModel model, string name, out VirtioWirePort port)
    {
        var host = new WireHost(model, name);
        var status = VirtioPciTransport<WireAccess>.TryOpen(ref host, VirtioDeviceType.Network, out var transport);
        if (status != NicStatus.Ok) throw new InvalidOperationException($"virtio-pci open: {status}");
        status = VirtioNet<WireAccess, VirtioPciTransport<WireAccess>, WireHost>.Initialise(transport, host, new VirtioNetOptions(), out var nic);
        if (status != NicStatus.Ok) throw new InvalidOperationException($"virtio initialise: {status}");
        if (!nic.Link().Up) throw new InvalidOperationException("virtio link down");

        DmaBuffer dma = model.Dma.Whole;
        port = new VirtioWirePort
        {
            Rx = Queue(model, model.Net.Queues[VirtioNetDevice.ReceiveQueue]),
            Tx = Queue(model, model.Net.Queues[VirtioNetDevice.TransmitQueue]),
            DmaCpu = dma.Cpu,
            DmaDevice = dma.Device,
            HeaderLength = 12,
        };
        host.GoLive(VirtioPciModel.Bar, VirtioPciModel.BarSize);
        return nic;
    }

    private static VirtioWireQueue Queue(VirtioPciModel model, SplitVirtqueueModel q) => new()
    {
        Desc = model.Dma.Translate(q.DescriptorArea, 16ul * q.Size),
        Avail = model.Dma.Translate(q.DriverArea, 6 + 2ul * q.Size),
        Used = model.Dma.Translate(q.DeviceArea, 6 + 8ul * q.Size),
        Size = q.Size,
        LastAvail = q.LastAvailIndex,
        UsedIdx = q.UsedIndex,
    };

    [GlobalCleanup]
    public void Cleanup()
    {
        _modelA?.Dispose();
        _modelB?.Dispose();
    }

    // ---- the four ways; OperationsPerInvoke is an attribute constant, so one method per batch size.

    private int Driver_(int batch) => Driver == "igb" ? Run(ref _igb, ref _igbWire, batch) : Run(ref _virtio, ref _virtioWire, batch);
    private int Hand(int batch) => Driver == "igb" ? Run(ref _handIgb, ref _handIgbWire, batch) : Run(ref _handVirtio, ref _handVirtioWire, batch);
    private int Device(int batch) => Driver == "igb" ? ReplayIgb(batch, step: true) : ReplayVirtio(batch, step: true);
    private int Restore(int batch) => Driver == "igb" ? ReplayIgb(batch, step: false) : ReplayVirtio(batch, step: false);

    [Benchmark(OperationsPerInvoke = 1), BenchmarkCategory("B001")] public int Driver001() => Driver_(1);
    [Benchmark(OperationsPerInvoke = 1, Baseline = true), BenchmarkCategory("B001")] public int HandWritten001() => Hand(1);
    [Benchmark(OperationsPerInvoke = 1), BenchmarkCategory("B001")] public int DeviceOnly001() => Device(1);
    [Benchmark(OperationsPerInvoke = 1), BenchmarkCategory("B001")] public int RestoreOnly001() => Restore(1);

    [Benchmark(OperationsPerInvoke = 8), BenchmarkCategory("B008")] public int Driver008() => Driver_(8);
    [Benchmark(OperationsPerInvoke = 8, Baseline = true), BenchmarkCategory("B008")] public int HandWritten008() => Hand(8);
    [Benchmark(OperationsPerInvoke = 8), BenchmarkCategory("B008")] public int DeviceOnly008() => Device(8);
    [Benchmark(OperationsPerInvoke = 8), BenchmarkCategory("B008")] public int RestoreOnly008() => Restore(8);

    [Benchmark(OperationsPerInvoke = 32), BenchmarkCategory("B032")] public int Driver032() => Driver_(32);
    [Benchmark(OperationsPerInvoke = 32, Baseline = true), BenchmarkCategory("B032")] public int HandWritten032() => Hand(32);
    [Benchmark(OperationsPerInvoke = 32), BenchmarkCategory("B032")] public int DeviceOnly032() => Device(32);
    [Benchmark(OperationsPerInvoke = 32), BenchmarkCategory("B032")] public int RestoreOnly032() => Restore(32);

    [Benchmark(OperationsPerInvoke = 64), BenchmarkCategory("B064")] public int Driver064() => Driver_(64);
    [Benchmark(OperationsPerInvoke = 64, Baseline = true), BenchmarkCategory("B064")] public int HandWritten064() => Hand(64);
    [Benchmark(OperationsPerInvoke = 64), BenchmarkCategory("B064")] public int DeviceOnly064() => Device(64);
    [Benchmark(OperationsPerInvoke = 64), BenchmarkCategory("B064")] public int RestoreOnly064() => Restore(64);

    [Benchmark(OperationsPerInvoke = 256), BenchmarkCategory("B256")] public int Driver256() => Driver_(256);
    [Benchmark(OperationsPerInvoke = 256, Baseline = true), BenchmarkCategory("B256")] public int HandWritten256() => Hand(256);
    [Benchmark(OperationsPerInvoke = 256), BenchmarkCategory("B256")] public int DeviceOnly256() => Device(256);
    [Benchmark(OperationsPerInvoke = 256), BenchmarkCategory("B256")] public int RestoreOnly256() => Restore(256);

    // ---- send + wire + receive loops (the same shape for driver and baseline)

    private int _lastReceiveCount;

    /// <summary>Sends <paramref name="batch"/> frames on A (again for what the ring did not take), lets the device move them, receives them all on B.</summary>
    private int Run<TEnds, TDevice>(ref TEnds ends, ref TDevice device, int batch)
        where TEnds : struct, IWireEnds
        where TDevice : struct, IWireDevice
    {
        int sent = 0, received = 0, idle = 0;
        while (received < batch)
        {
            if (sent < batch) sent += ends.Send(Tx(sent, batch));
            device.Step();
            var rx = new FrameBatch(_rxData, _rxLengths);
            int n = ends.Receive(ref rx);
            received += n;
            if (n != 0) _lastReceiveCount = n;
            else if (++idle > 1000) throw new InvalidOperationException($"lost frames: sent {sent}, received {received} of {batch}");
        }
        return received;
    }

    private FrameBatch Tx(int from, int batch)
    {
        return FrameBatch.Resume(_txData, _txLengths, batch).Skip(from);
    }

    // ---- the device alone: replay one batch from a restored state

    private struct ReplayState
    {
        public int Batch;
        public HandWrittenIgb* Igb;
        public IgbWirePort* IgbPorts;
        public byte* IgbTxSnapshot, IgbRxSnapshot;
        public HandWrittenVirtio* Virtio;
        public VirtioWirePort* VirtioPorts;
    }

    /// <summary>
    /// A fresh hand-written pair with <paramref name="batch"/> frames posted and every receive
    /// descriptor armed; the descriptors the device will overwrite are saved.
    /// </summary>
    private void PrepareReplay(int batch)
    {
        _replay.Batch = batch;
        var tx = Tx(0, batch);
        if (Driver == "igb")
        {
            _replay.Igb = Alloc<HandWrittenIgb>(1);
            _replay.IgbPorts = Alloc<IgbWirePort>(2);
            *_replay.Igb = HandWrittenIgb.Create(IgbRing, out _replay.IgbPorts[0], out _replay.IgbPorts[1]);
            if (_replay.Igb->Send(tx) != batch) throw new InvalidOperationException("replay: ring too small");
            _replay.IgbTxSnapshot = Alloc<byte>(batch * 16);
            _replay.IgbRxSnapshot = Alloc<byte>(batch * 16);
            Buffer.MemoryCopy(_replay.IgbPorts[0].TxRing, _replay.IgbTxSnapshot, batch * 16, batch * 16);
            Buffer.MemoryCopy(_replay.IgbPorts[1].RxRing, _replay.IgbRxSnapshot, batch * 16, batch * 16);
        }
        else
        {
            _replay.Virtio = Alloc<HandWrittenVirtio>(1);
            _replay.VirtioPorts = Alloc<VirtioWirePort>(2);
            *_replay.Virtio = HandWrittenVirtio.Create(VirtioQueue, out _replay.VirtioPorts[0], out _replay.VirtioPorts[1]);
            if (_replay.Virtio->Send(tx) != batch) throw new InvalidOperationException("replay: queue too small");
        }
    }

    private int ReplayIgb(int batch, bool step)
    {
        if (_replay.Batch != batch) PrepareReplay(batch);
        ref IgbWirePort a = ref _replay.IgbPorts[0];
        ref IgbWirePort b = ref _replay.IgbPorts[1];
        Buffer.MemoryCopy(_replay.IgbTxSnapshot, a.TxRing, batch * 16, batch * 16);
        Buffer.MemoryCopy(_replay.IgbRxSnapshot, b.RxRing, batch * 16, batch * 16);
        a.TxHead = 0;
        b.RxHead = 0;
        return step ? IgbWire.Step(ref a, ref b) : batch;
    }

    private int ReplayVirtio(int batch, bool step)
    {
        if (_replay.Batch != batch) PrepareReplay(batch);
        ref VirtioWirePort a = ref _replay.VirtioPorts[0];
        ref VirtioWirePort b = ref _replay.VirtioPorts[1];
        a.Tx.LastAvail = 0; a.Tx.UsedIdx = 0; *(ushort*)(a.Tx.Used + 2) = 0;
        b.Rx.LastAvail = 0; b.Rx.UsedIdx = 0; *(ushort*)(b.Rx.Used + 2) = 0;
        return step ? VirtioWire.Step(ref a, ref b) : batch;
    }
}
