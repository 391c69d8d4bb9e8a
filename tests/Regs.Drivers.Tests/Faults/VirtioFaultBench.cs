using System;
using Regs.Drivers.Virtio;
using Regs.Nic;
using Regs.Runtime.Models;
using Regs.Runtime.Models.Virtio;
using Regs.Testing.NicKinds;
using Regs.Testing.Traffic;

namespace Regs.Drivers.Tests.Faults;

/// <summary>
/// Two virtio-net models of one transport wired back to back (a <see cref="ModelBench"/>), each
/// with its driver opened with short fault timeouts, so a fault armed on a model is detected and
/// recovered from in milliseconds. At Dispose no model reached outside the driver's memory and
/// nothing was written outside the buffers handed out.
/// </summary>
public sealed class VirtioFaultBench : IDisposable
{
    /// <summary>The fault timeouts the tests use (the defaults are 1 s).</summary>
    public static VirtioNetOptions Options(bool interrupts, uint receiveWatchdog = 0) => new()
    {
        InterruptMode = interrupts,
        ResetTimeoutMicroseconds = 50_000,
        TransmitTimeoutMicroseconds = 100_000,
        ReceiveWatchdogMicroseconds = receiveWatchdog,
        HealthCheckIntervalMicroseconds = 2_000,
        RecoveryIntervalMicroseconds = 20_000,
    };

    private readonly ModelBench _models;
    private readonly nuint[] _dmaUsed = new nuint[2], _privateUsed = new nuint[2];

    /// <summary>Two NICs of <paramref name="kind"/> (a virtio kind), opened with <paramref name="options"/>.</summary>
    public VirtioFaultBench(NicKind kind, VirtioNetOptions options)
    {
        if (kind == NicKind.Igb) throw new ArgumentException("virtio kinds only", nameof(kind));
        _models = new ModelBench(kind, Wiring.BackToBack);
        A = _models.Open(0, options);
        B = _models.Open(1, options);
        for (int i = 0; i < 2; i++)
        {
            _dmaUsed[i] = Model(i).Dma.Used;
            _privateUsed[i] = Model(i).Private.Used;
        }
    }

    /// <summary>NIC 0.</summary>
    public INic A { get; }

    /// <summary>NIC 1.</summary>
    public INic B { get; }

    /// <summary>The NIC at <paramref name="index"/>.</summary>
    public INic Nic(int index) => index == 0 ? A : B;

    /// <summary>The virtio-net device behind NIC <paramref name="index"/>.</summary>
    public VirtioNetDevice Device(int index) => Model(index) switch
    {
        VirtioPciModel pci => pci.Net,
        VirtioMmioModel mmio => mmio.Net,
        _ => throw new InvalidOperationException(),
    };

    /// <summary>The model behind NIC <paramref name="index"/>.</summary>
    public DeviceModel Model(int index) => _models.Model(index);

    /// <summary>True when NIC <paramref name="index"/>'s driver allocated nothing since start-up (recoveries reuse its memory).</summary>
    public bool MemoryAsAtStartUp(int index)
        => Model(index).Dma.Used == _dmaUsed[index] && Model(index).Private.Used == _privateUsed[index];

    /// <summary>
    /// Numbered traffic between A and B whose steps read both links, as an application polls
    /// them, and whose failure messages say what each device is doing.
    /// </summary>
    public NicTraffic<INic> Traffic() => new(A, B)
    {
        DefaultStep = new TrafficStep(PollLinks: true),
        DeviceState = i => { VirtioNetDevice d = Device(i); return $"device status {d.Status}, resets {d.Resets}, fault {d.Faults.Armed} x{d.Faults.Injected}"; },
    };

    /// <inheritdoc/>
    public void Dispose() => _models.Dispose();
}
