using System;
using System.Buffers.Binary;
using System.Threading;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime.Models;
using Regs.Testing.NicKinds;

namespace Regs.Benchmarks;

/// <summary>
/// Two NICs back to back on the in-process device models (igb or virtio-pci): each invocation
/// sends one batch of 64-byte frames from A and receives them all on B (polling Receive until
/// every frame arrived). Figures are per packet (one method per batch size, OperationsPerInvoke = that size). They include the
/// models' own cost (locked register accesses, bounds-checked DMA, the model's frame copies and
/// capture), which is not subtracted. Batch storage is pinned arrays allocated once.
/// </summary>
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class DriverBenchmarks
{
    private const int MaxBatch = 256;
    private const int FrameLength = 64;

    [Params(NicKind.Igb, NicKind.VirtioPci)]
    public NicKind Driver { get; set; }

    private ModelNetwork _network = null!;
    private DeviceModel _modelA = null!, _modelB = null!;
    private INic _a = null!, _b = null!;
    private byte[] _txData = null!, _rxData = null!;
    private FrameEntry[] _txLengths = null!, _rxLengths = null!;

    [GlobalSetup]
    public void Setup()
    {
        Regs.Runtime.Hosted.ConsoleLog.Enabled = false;
        _network = new ModelNetwork();
        _modelA = NicModels.Create(Driver, _network, 0, new MacAddress(0x0100_0000_0002ul));   // 02:00:00:00:00:01
        _modelB = NicModels.Create(Driver, _network, 1, new MacAddress(0x0200_0000_0002ul));   // 02:00:00:00:00:02
        _network.Connect(_modelA, _modelB);
        _a = Open(_modelA, "A");
        _b = Open(_modelB, "B");
        for (int i = 0; i < 2000 && !(_a.Link().Up && _b.Link().Up); i++) Thread.Sleep(5);
        if (!(_a.Link().Up && _b.Link().Up)) throw new InvalidOperationException("link did not come up");

        _txData = GC.AllocateArray<byte>(MaxBatch * FrameBatch.SlotSize, pinned: true);
        _rxData = GC.AllocateArray<byte>(MaxBatch * FrameBatch.SlotSize, pinned: true);
        _txLengths = GC.AllocateArray<FrameEntry>(MaxBatch, pinned: true);
        _rxLengths = GC.AllocateArray<FrameEntry>(MaxBatch, pinned: true);
        var tx = new FrameBatch(_txData, _txLengths);
        for (int i = 0; i < MaxBatch; i++)
        {
            Span<byte> slot = tx.Free().Slice(0, FrameBatch.SlotSize);
            _b.Mac.CopyTo(slot);                 // destination: B
            _a.Mac.CopyTo(slot.Slice(6));        // source: A
            BinaryPrimitives.WriteUInt16BigEndian(slot.Slice(12), EtherType.LocalExperimental1);
            for (int j = 14; j < FrameLength; j++) slot[j] = (byte)(i + j);
            tx.Commit(FrameLength);
        }
        // One round before measuring, so a wiring problem fails here and not inside the run.
        if (SendReceive(MaxBatch) != MaxBatch) throw new InvalidOperationException("warm-up round lost frames");
    }

    private INic Open(DeviceModel model, string name)
    {
        NicStatus status = NicModels.Open(Driver, model, name, default, out INic nic);
        if (status != NicStatus.Ok) throw new InvalidOperationException($"{Driver} initialise: {status}");
        return nic;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _modelA?.Dispose();
        _modelB?.Dispose();
    }

    // OperationsPerInvoke is a constant of the attribute, so one method per batch size.
    [Benchmark(OperationsPerInvoke = 1)] public int Batch001() => SendReceive(1);
    [Benchmark(OperationsPerInvoke = 8)] public int Batch008() => SendReceive(8);
    [Benchmark(OperationsPerInvoke = 32)] public int Batch032() => SendReceive(32);
    [Benchmark(OperationsPerInvoke = 64)] public int Batch064() => SendReceive(64);
    [Benchmark(OperationsPerInvoke = 256)] public int Batch256() => SendReceive(256);

    /// <summary>Sends <paramref name="batch"/> frames on A (Send again for what the ring did not take), receives them all on B.</summary>
    public int SendReceive(int batch)
    {
        int sent = 0, received = 0, idle = 0;
        while (received < batch)
        {
            if (sent < batch)
            {
                var tx = FrameBatch.Resume(_txData, _txLengths, batch).Skip(sent);
                sent += _a.Send(in tx);
            }
            var rx = new FrameBatch(_rxData, _rxLengths);
            int n = _b.Receive(ref rx);
            received += n;
            if (n == 0 && ++idle > 1_000_000) throw new InvalidOperationException($"lost frames: sent {sent}, received {received} of {batch}");
        }
        return received;
    }
}
