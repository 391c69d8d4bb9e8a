using System;
using Regs.Drivers.Virtio;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime.Models;
using Regs.Runtime.Models.Virtio;
using Regs.Testing.Traffic;
using Regs.Virtio;
using Xunit;

namespace Regs.Drivers.Tests.Faults;

/// <summary>
/// Two virtio-net models of one transport wired back to back, each with its driver opened with
/// short fault timeouts, so a fault armed on a model is detected and recovered from in
/// milliseconds. At Dispose no model reached outside the driver's memory and nothing was
/// written outside the buffers handed out.
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

    private readonly DeviceModel[] _models = new DeviceModel[2];
    private readonly nuint[] _dmaUsed = new nuint[2], _privateUsed = new nuint[2];

    /// <summary>Two NICs of <paramref name="kind"/> (a virtio kind), opened with <paramref name="options"/>.</summary>
    public VirtioFaultBench(NicKind kind, VirtioNetOptions options)
    {
        Kind = kind;
        Network = new ModelNetwork();
        for (int i = 0; i < 2; i++)
        {
            byte[] mac = new byte[6];
            new MacAddress(QtestNics.MacBits(i)).CopyTo(mac);
            ulong dma = 0x4000_0000ul * (ulong)(i + 1);
            _models[i] = kind switch
            {
                NicKind.VirtioPci => new VirtioPciModel(Network, mac, dmaDeviceAddress: dma, dmaBytes: 8 << 20),
                NicKind.VirtioMmio => new VirtioMmioModel(Network, mac, 2, dmaDeviceAddress: dma, dmaBytes: 8 << 20),
                NicKind.VirtioMmioLegacy => new VirtioMmioModel(Network, mac, 1, dmaDeviceAddress: dma, dmaBytes: 8 << 20),
                _ => throw new ArgumentException("virtio kinds only", nameof(kind)),
            };
        }
        Network.Connect(_models[0], _models[1]);
        A = Open(0, options);
        B = Open(1, options);
        for (int i = 0; i < 2; i++)
        {
            _dmaUsed[i] = _models[i].Dma.Used;
            _privateUsed[i] = _models[i].Private.Used;
        }
    }

    /// <summary>The transport.</summary>
    public NicKind Kind { get; }

    /// <summary>The wire.</summary>
    public ModelNetwork Network { get; }

    /// <summary>NIC 0.</summary>
    public INic A { get; }

    /// <summary>NIC 1.</summary>
    public INic B { get; }

    /// <summary>The NIC at <paramref name="index"/>.</summary>
    public INic Nic(int index) => index == 0 ? A : B;

    /// <summary>The virtio-net device behind NIC <paramref name="index"/>.</summary>
    public VirtioNetDevice Device(int index) => _models[index] switch
    {
        VirtioPciModel pci => pci.Net,
        VirtioMmioModel mmio => mmio.Net,
        _ => throw new InvalidOperationException(),
    };

    /// <summary>The model behind NIC <paramref name="index"/>.</summary>
    public DeviceModel Model(int index) => _models[index];

    /// <summary>True when NIC <paramref name="index"/>'s driver allocated nothing since start-up (recoveries reuse its memory).</summary>
    public bool MemoryAsAtStartUp(int index)
        => _models[index].Dma.Used == _dmaUsed[index] && _models[index].Private.Used == _privateUsed[index];

    private INic Open(int index, VirtioNetOptions options)
    {
        var host = new ModelHost(_models[index], $"{Kind}{index}");
        NicStatus status;
        INic nic;
        if (_models[index] is VirtioPciModel)
        {
            Assert.Equal(NicStatus.Ok, VirtioPciTransport<ModelAccess>.TryOpen(ref host, VirtioDeviceType.Network, out var t));
            status = VirtioNet<ModelAccess, VirtioPciTransport<ModelAccess>, ModelHost>.Initialise(t, host, options, out var n);
            nic = n;
        }
        else if (Kind == NicKind.VirtioMmio)
        {
            var registers = new ModelAccess(((VirtioMmioModel)_models[index]).Registers);
            Assert.Equal(NicStatus.Ok, VirtioMmioTransport<ModelAccess>.TryOpen(registers, VirtioDeviceType.Network, out var t));
            status = VirtioNet<ModelAccess, VirtioMmioTransport<ModelAccess>, ModelHost>.Initialise(t, host, options, out var n);
            nic = n;
        }
        else
        {
            var registers = new ModelAccess(((VirtioMmioModel)_models[index]).Registers);
            Assert.Equal(NicStatus.Ok, VirtioMmioLegacyTransport<ModelAccess>.TryOpen(registers, VirtioDeviceType.Network, out var t));
            status = VirtioNet<ModelAccess, VirtioMmioLegacyTransport<ModelAccess>, ModelHost>.Initialise(t, host, options, out var n);
            nic = n;
        }
        Assert.Equal(NicStatus.Ok, status);
        return nic;
    }

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
    public void Dispose()
    {
        foreach (var model in _models)
        {
            Assert.Equal(0, model.DmaFaults);
            Assert.Equal(0, model.StrayWrites);
            model.Dispose();
        }
    }
}
