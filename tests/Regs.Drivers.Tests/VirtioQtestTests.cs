using System;
using System.Diagnostics;
using Regs.Drivers.Virtio;
using Regs.Nic;
using Regs.Runtime.Pci;
using Regs.Runtime.Qtest;
using Regs.Virtio;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>
/// The virtio-net driver on QEMU's own virtio-net-pci as QEMU makes it by default on q35's root
/// bus: transitional (PCI device ID 0x1000, subsystem ID 1, a legacy I/O BAR besides the modern
/// capabilities), which Linux drives through its modern path and which the driver once refused.
/// </summary>
[Trait("Category", "Qtest")]
public sealed class VirtioQtestTests
{
    private const int Slot = 5;
    private const string Mac = "52:54:00:12:34:99";

    [Fact]
    public void QEMUs_default_transitional_virtio_net_pci_is_driven_through_its_modern_capabilities()
    {
        using var machine = new QemuMachine(new QemuOptions
        {
            Name = "virtio-transitional",
            ExtraArguments = new[] { "-netdev", "user,id=t0", "-device", $"virtio-net-pci,netdev=t0,mac={Mac},addr=0x{Slot:x},romfile=" },
        });
        QtestHost host = machine.PciHost(Slot);
        var header = new PciConfig<QtestAccess>(host.ConfigSpace());
        Assert.Equal(0x1000, header.DeviceID.Read().Bits);          // the test is about a transitional ID
        Assert.Equal(1, header.SubsystemID.Read().Bits);

        Assert.Equal(NicStatus.Ok, VirtioPciTransport<QtestAccess>.TryOpen(ref host, VirtioDeviceType.Network, out var transport));
        Assert.Equal(NicStatus.Ok, VirtioNet<QtestAccess, VirtioPciTransport<QtestAccess>, QtestHost>.Initialise(transport, host, default, out var nic));

        Assert.Equal(0x0000_9934_1200_5452ul, nic.Mac.Bits);
        Assert.True(nic.Features.HasFlag(VirtioNetFeatures.VERSION_1));
        var batch = new FrameBatch(new byte[FrameBatch.SlotSize], new FrameEntry[1]);
        Assert.True(batch.Add(new byte[60]));
        Assert.Equal(1, nic.Send(in batch));
        var clock = Stopwatch.StartNew();
        while (nic.Stats().TxFrames == 0 && clock.Elapsed < TimeSpan.FromSeconds(2))
        {
            nic.WaitForReceive(1_000);
            nic.Send(default);                                       // reclaims the sent buffer
        }
        Assert.Equal(1ul, nic.Stats().TxFrames);
        Assert.Equal(0ul, nic.Stats().ProtocolErrors + nic.Stats().Recoveries);
    }
}
