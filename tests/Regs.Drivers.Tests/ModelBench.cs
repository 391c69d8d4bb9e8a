using System;
using System.Collections.Generic;
using System.Linq;
using Regs.Drivers.Virtio;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime.Models;
using Regs.Runtime.Models.Igb;
using Regs.Runtime.Models.Virtio;
using Regs.Virtio;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>NICs on the in-process device models, on one model network.</summary>
public sealed class ModelBench : INicBench
{
    private readonly NicKind _kind;
    private readonly DeviceModel[] _models;

    /// <summary>Creates the models wired as asked.</summary>
    public ModelBench(NicKind kind, Wiring wiring)
    {
        _kind = kind;
        Network = new ModelNetwork();
        int count = wiring == Wiring.Gateway ? 1 : 2;
        _models = new DeviceModel[count];
        for (int i = 0; i < count; i++)
        {
            byte[] mac = new byte[6];
            new MacAddress(QtestNics.MacBits(i)).CopyTo(mac);
            ulong dma = 0x4000_0000ul * (ulong)(i + 1);   // distinct device addresses per device
            _models[i] = kind switch
            {
                NicKind.Igb => new IgbModel(Network, mac, dma, 8 << 20),
                NicKind.VirtioPci => new VirtioPciModel(Network, mac, dmaDeviceAddress: dma, dmaBytes: 8 << 20),
                NicKind.VirtioMmio => new VirtioMmioModel(Network, mac, 2, dmaDeviceAddress: dma, dmaBytes: 8 << 20),
                _ => new VirtioMmioModel(Network, mac, 1, dmaDeviceAddress: dma, dmaBytes: 8 << 20),
            };
        }
        if (wiring == Wiring.Gateway)
        {
            Gateway = new GatewayModel(Network);
            Network.Connect(_models[0], Gateway);
        }
        else Network.Connect(_models[0], _models[1]);
    }

    /// <summary>The network the models are on.</summary>
    public ModelNetwork Network { get; }

    /// <summary>The gateway (gateway wiring only).</summary>
    public GatewayModel? Gateway { get; }

    /// <summary>Model <paramref name="index"/>.</summary>
    public DeviceModel Model(int index) => _models[index];

    /// <inheritdoc/>
    public INic Open(int index, VirtioNetOptions options)
    {
        var host = new ModelHost(_models[index], $"{_kind}{index}");
        NicStatus status;
        INic nic;
        switch (_kind)
        {
            case NicKind.Igb:
                status = ModelNics.OpenIgb(host, options.InterruptMode, out nic);
                break;
            case NicKind.VirtioPci:
            {
                Assert.Equal(NicStatus.Ok, VirtioPciTransport<ModelAccess>.TryOpen(ref host, VirtioDeviceType.Network, out var t));
                status = VirtioNet<ModelAccess, VirtioPciTransport<ModelAccess>, ModelHost>.Initialise(t, host, options, out var n);
                nic = n;
                break;
            }
            case NicKind.VirtioMmio:
            {
                var registers = new ModelAccess(((VirtioMmioModel)_models[index]).Registers);
                Assert.Equal(NicStatus.Ok, VirtioMmioTransport<ModelAccess>.TryOpen(registers, VirtioDeviceType.Network, out var t));
                status = VirtioNet<ModelAccess, VirtioMmioTransport<ModelAccess>, ModelHost>.Initialise(t, host, options, out var n);
                nic = n;
                break;
            }
            default:
            {
                var registers = new ModelAccess(((VirtioMmioModel)_models[index]).Registers);
                Assert.Equal(NicStatus.Ok, VirtioMmioLegacyTransport<ModelAccess>.TryOpen(registers, VirtioDeviceType.Network, out var t));
                status = VirtioNet<ModelAccess, VirtioMmioLegacyTransport<ModelAccess>, ModelHost>.Initialise(t, host, options, out var n);
                nic = n;
                break;
            }
        }
        Assert.Equal(NicStatus.Ok, status);
        return nic;
    }

    /// <inheritdoc/>
    public ulong ExpectedMac(int index) => QtestNics.MacBits(index);

    /// <inheritdoc/>
    public void SetLink(int index, bool up)
    {
        lock (Network.Lock) _models[index].LinkUp = up;
    }

    /// <inheritdoc/>
    public IReadOnlyList<byte[]> Transmitted(int index)
        => Network.Captured.Where(c => c.From == _models[index]).Select(c => c.Frame).ToList();

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var model in _models)
        {
            Assert.Equal(0, model.DmaFaults);   // no driver ever pointed a device outside its memory
            Assert.Equal(0, model.StrayWrites); // nothing written between or after the buffers handed out
            model.Dispose();
        }
    }
}

/// <summary>The suite on the in-process models.</summary>
[Trait("Category", "Model")]
public sealed class ModelNicTests : NicSuite
{
    /// <summary>The suite writing its figures to <paramref name="output"/>.</summary>
    public ModelNicTests(Xunit.Abstractions.ITestOutputHelper output) : base(output) { }

    /// <inheritdoc/>
    protected override INicBench Start(NicKind kind, Wiring wiring, string name) => new ModelBench(kind, wiring);

    /// <inheritdoc/>
    protected override bool WireKeepsOrder => true;
}
