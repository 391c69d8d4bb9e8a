using System;
using Regs.Drivers.Igb;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime.Models;
using Regs.Runtime.Models.Igb;
using Xunit;

namespace Regs.Drivers.Tests.Faults;

/// <summary>
/// Two igb models on one wire with their drivers, for fault injection: NIC 0 ("A") is the one
/// faults are injected into; it runs with a station address set by SetMac and one multicast
/// group joined, so a test can check both survive its resets. Disposing checks DmaFaults and
/// StrayWrites are 0.
/// </summary>
internal sealed class IgbFaultBench : IgbFaultTraffic<ModelAccess, ModelHost>, IDisposable
{
    /// <summary>Hang limit the drivers run with (short, so tests are quick).</summary>
    public const uint HangMicroseconds = 200_000;
    /// <summary>Watchdog interval the drivers run with.</summary>
    public const uint WatchdogMicroseconds = 20_000;

    public IgbFaultBench(bool interrupts, bool openA = true)
    {
        Interrupts = interrupts;
        Network = new ModelNetwork();
        for (int i = 0; i < 2; i++)
        {
            byte[] mac = new byte[6];
            new MacAddress(QtestNics.MacBits(i)).CopyTo(mac);
            Models[i] = new IgbModel(Network, mac, 0x4000_0000ul * (ulong)(i + 1), 8 << 20)
            {
                AutonegotiationTime = TimeSpan.FromMilliseconds(20),
            };
        }
        Network.Connect(Models[0], Models[1]);
        Assert.Equal(NicStatus.Ok, Open(1, setMac: false, out Nics[1]));
        if (openA) OpenA();
    }

    public bool Interrupts { get; }
    public ModelNetwork Network { get; }
    public IgbModel[] Models { get; } = new IgbModel[2];
    public IgbModel ModelA => Models[0];

    /// <summary>The options both drivers run with.</summary>
    public IgbOptions Options(bool setMac) => new()
    {
        InterruptMode = Interrupts,
        SetMac = setMac,
        Mac = SetMacAddress,
        HangMicroseconds = HangMicroseconds,
        WatchdogIntervalMicroseconds = WatchdogMicroseconds,
        LinkWaitMicroseconds = 500_000,
    };

    /// <summary>Initialises the driver of NIC <paramref name="index"/>.</summary>
    public NicStatus Open(int index, bool setMac, out IgbNic<ModelAccess, ModelHost> nic)
        => IgbNic<ModelAccess, ModelHost>.Initialise(new ModelHost(Models[index], index == 0 ? "igbA" : "igbB"), Options(setMac), out nic);

    /// <summary>Opens A with the SetMac address and the group joined, and waits for both links.</summary>
    public void OpenA()
    {
        Assert.Equal(NicStatus.Ok, Open(0, setMac: true, out Nics[0]));
        Assert.Equal(NicStatus.Ok, A.AddMulticast(Group));
        WaitForLinks();
    }

    public void Dispose()
    {
        foreach (var model in Models)
        {
            Assert.Equal(0, model.DmaFaults);
            Assert.Equal(0, model.StrayWrites);
            model.Dispose();
        }
    }
}
