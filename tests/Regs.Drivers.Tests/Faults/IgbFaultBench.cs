using System;
using Regs.Drivers.Igb;
using Regs.Nic;
using Regs.Runtime.Models;
using Regs.Runtime.Models.Igb;
using Regs.Testing.NicKinds;
using Xunit;

namespace Regs.Drivers.Tests.Faults;

/// <summary>
/// Two igb models on one wire (a <see cref="ModelBench"/>) with their drivers, for fault
/// injection: NIC 0 ("A") is the one faults are injected into; it runs with a station address set
/// by SetMac and one multicast group joined, so a test can check both survive its resets.
/// Disposing checks DmaFaults and StrayWrites are 0.
/// </summary>
internal sealed class IgbFaultBench : IgbFaultTraffic<ModelAccess, ModelHost>, IDisposable
{
    /// <summary>Hang limit the drivers run with (short, so tests are quick).</summary>
    public const uint HangMicroseconds = 200_000;
    /// <summary>Watchdog interval the drivers run with.</summary>
    public const uint WatchdogMicroseconds = 20_000;

    private readonly ModelBench _models = new(NicKind.Igb, Wiring.BackToBack);

    public IgbFaultBench(bool interrupts, bool openA = true, uint mtu = 0)
    {
        Interrupts = interrupts;
        Mtu = mtu;
        for (int i = 0; i < 2; i++) Model(i).AutonegotiationTime = TimeSpan.FromMilliseconds(20);
        Assert.Equal(NicStatus.Ok, Open(1, setMac: false, out Nics[1]));
        if (openA) OpenA();
    }

    public bool Interrupts { get; }

    /// <summary>The MTU both drivers run with (0: the default).</summary>
    public uint Mtu { get; }

    /// <summary>The two models and their wire.</summary>
    public ModelBench Models => _models;
    public IgbModel ModelA => Model(0);

    /// <summary>The model behind NIC <paramref name="index"/>.</summary>
    public IgbModel Model(int index) => (IgbModel)_models.Model(index);

    /// <summary>The options both drivers run with.</summary>
    public IgbOptions Options(bool setMac) => new()
    {
        InterruptMode = Interrupts,
        SetMac = setMac,
        Mac = SetMacAddress,
        HangMicroseconds = HangMicroseconds,
        WatchdogIntervalMicroseconds = WatchdogMicroseconds,
        LinkWaitMicroseconds = 500_000,
        Mtu = Mtu,
    };

    /// <summary>Initialises the driver of NIC <paramref name="index"/>.</summary>
    public NicStatus Open(int index, bool setMac, out IgbNic<ModelAccess, ModelHost> nic)
        => IgbNic<ModelAccess, ModelHost>.Initialise(new ModelHost(Model(index), index == 0 ? "igbA" : "igbB"), Options(setMac), out nic);

    /// <summary>Opens A with the SetMac address and the group joined, and waits for both links.</summary>
    public void OpenA()
    {
        Assert.Equal(NicStatus.Ok, Open(0, setMac: true, out Nics[0]));
        Assert.Equal(NicStatus.Ok, A.AddMulticast(Group));
        WaitForLinks();
    }

    public void Dispose() => _models.Dispose();
}
