using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Regs.Igb;
using Regs.Runtime;
using Regs.Virtio;

namespace Regs.Benchmarks;

/// <summary>A clock for backends that never wait.</summary>
public readonly struct NoClock : IClock
{
    public static ulong NowMicroseconds() => 0;
}

/// <summary>
/// Generated accessors over <see cref="MmioPointer{TClock}"/> on native memory (standing in for a
/// BAR), each beside the hand-written volatile pointer code that does the same accesses
/// (Baseline). Each benchmark loops <see cref="N"/> times so one operation is well above the
/// timer's resolution; figures are per operation.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public unsafe class AccessorBenchmarks
{
    public const int N = 1024;
    private byte* _bar;
    private Igb<MmioPointer<NoClock>> _igb;
    private VirtioPciCommonCfg<MmioPointer<NoClock>> _common;

    [GlobalSetup]
    public void Setup()
    {
        _bar = (byte*)NativeMemory.AlignedAlloc(0x20000, 4096);
        NativeMemory.Clear(_bar, 0x20000);
        *(uint*)(_bar + 0x8) = 0x2;         // STATUS.LU
        var io = new MmioPointer<NoClock>(_bar);
        _igb = new Igb<MmioPointer<NoClock>>(io);
        _common = new VirtioPciCommonCfg<MmioPointer<NoClock>>(io.At(0x10000));
    }

    [GlobalCleanup]
    public void Cleanup() => NativeMemory.AlignedFree(_bar);

    // ---- STATUS.LU: one volatile load, test bit 1 ----

    [Benchmark(Baseline = true, OperationsPerInvoke = N), BenchmarkCategory("FieldRead STATUS.LU")]
    public int FieldRead_Hand()
    {
        byte* bar = _bar;
        int up = 0;
        for (int i = 0; i < N; i++)
            if ((Volatile.Read(ref *(uint*)(bar + 0x8)) & 0x2u) != 0) up++;
        return up;
    }

    [Benchmark(OperationsPerInvoke = N), BenchmarkCategory("FieldRead STATUS.LU")]
    public int FieldRead_Generated()
    {
        var igb = _igb;
        int up = 0;
        for (int i = 0; i < N; i++)
            if (igb.STATUS.Read().LU) up++;
        return up;
    }

    // ---- CTRL.SLU = 1: volatile load, or 0x40, volatile store ----

    [Benchmark(Baseline = true, OperationsPerInvoke = N), BenchmarkCategory("FieldRMW CTRL.SLU")]
    public void FieldRmw_Hand()
    {
        byte* bar = _bar;
        for (int i = 0; i < N; i++)
        {
            uint v = Volatile.Read(ref *(uint*)bar);
            Volatile.Write(ref *(uint*)bar, v | 0x40u);
        }
    }

    [Benchmark(OperationsPerInvoke = N), BenchmarkCategory("FieldRMW CTRL.SLU")]
    public void FieldRmw_Generated()
    {
        var igb = _igb;
        for (int i = 0; i < N; i++)
        {
            var ctrl = igb.CTRL.Read();
            ctrl.SLU = true;
            igb.CTRL.Write(ctrl);
        }
    }

    // ---- IMC = value: one volatile store ----

    [Benchmark(Baseline = true, OperationsPerInvoke = N), BenchmarkCategory("RegisterWrite IMC")]
    public void RegisterWrite_Hand()
    {
        byte* bar = _bar;
        for (int i = 0; i < N; i++)
            Volatile.Write(ref *(uint*)(bar + 0xD8), (uint)i);
    }

    [Benchmark(OperationsPerInvoke = N), BenchmarkCategory("RegisterWrite IMC")]
    public void RegisterWrite_Generated()
    {
        var igb = _igb;
        for (int i = 0; i < N; i++)
            igb.IMC.Write(new Regs.Igb.Igb.IMC((uint)i));
    }

    // ---- virtio-pci common cfg device_feature (64 bits through device_feature_select) ----

    [Benchmark(Baseline = true, OperationsPerInvoke = N), BenchmarkCategory("Window device_feature")]
    public ulong Window_Hand()
    {
        byte* cfg = _bar + 0x10000;
        ulong acc = 0;
        for (int i = 0; i < N; i++)
        {
            Volatile.Write(ref *(uint*)cfg, 0u);
            ulong low = Volatile.Read(ref *(uint*)(cfg + 4));
            Volatile.Write(ref *(uint*)cfg, 1u);
            ulong high = Volatile.Read(ref *(uint*)(cfg + 4));
            acc += low | (high << 32);
        }
        return acc;
    }

    [Benchmark(OperationsPerInvoke = N), BenchmarkCategory("Window device_feature")]
    public ulong Window_Generated()
    {
        var common = _common;
        ulong acc = 0;
        for (int i = 0; i < N; i++)
            acc += common.device_feature.Read().Bits;
        return acc;
    }

    // ---- MTA(n) = value: index (mod 128, as declared), one volatile store ----

    [Benchmark(Baseline = true, OperationsPerInvoke = N), BenchmarkCategory("ArrayWrite MTA(n)")]
    public void ArrayWrite_Hand()
    {
        byte* bar = _bar;
        for (uint i = 0; i < N; i++)
            Volatile.Write(ref *(uint*)(bar + 0x5200 + (i % 128) * 4), i);
    }

    [Benchmark(OperationsPerInvoke = N), BenchmarkCategory("ArrayWrite MTA(n)")]
    public void ArrayWrite_Generated()
    {
        var igb = _igb;
        for (uint i = 0; i < N; i++)
            igb.MTA(i).Write(new U32(i));
    }
}
