using System;
using System.Collections.Generic;
using System.Linq;
using Regs.Drivers.Virtio;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime.Models;
using Regs.Testing.NicKinds;
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
        _models = new DeviceModel[wiring == Wiring.Gateway ? 1 : 2];
        for (int i = 0; i < _models.Length; i++) _models[i] = NicModels.Create(kind, Network, i, new MacAddress(ExpectedMac(i)));
        if (wiring == Wiring.Gateway) Network.Connect(_models[0], new GatewayModel(Network));
        else Network.Connect(_models[0], _models[1]);
    }

    /// <summary>The network the models are on.</summary>
    public ModelNetwork Network { get; }

    /// <summary>Model <paramref name="index"/>.</summary>
    public DeviceModel Model(int index) => _models[index];

    /// <inheritdoc/>
    public INic Open(int index, VirtioNetOptions options)
    {
        Assert.Equal(NicStatus.Ok, NicModels.Open(_kind, _models[index], $"{_kind}{index}", options, out INic nic));
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
