using Regs.Runtime.Models;
using Regs.Runtime.Models.Igb;
using Regs.Runtime.Models.Virtio;
using Regs.Runtime.Pci;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>BAR discovery and capability walks over configuration spaces laid out as QEMU's.</summary>
[Trait("Category", "Model")]
public sealed class PciFunctionTests
{
    [Fact]
    public void A_64_bit_bar_combines_both_registers_and_its_upper_half_is_not_a_bar()
    {
        using var model = new VirtioPciModel(new ModelNetwork(), new byte[] { 2, 0, 0, 0, 0, 1 }, barAddress: 0x1_2345_0000);
        var config = new ModelHost(model, "v").ConfigSpace();
        Assert.True(PciFunction.TryReadMemoryBar(config, 4, out ulong address));
        Assert.Equal(0x1_2345_0000ul, address);
        Assert.False(PciFunction.TryReadMemoryBar(config, 5, out _));      // upper half of BAR4
        Assert.False(PciFunction.TryReadMemoryBar(config, 0, out _));      // unassigned
        Assert.False(PciFunction.TryReadMemoryBar(config, 6, out _));      // beyond the header
    }

    [Fact]
    public void A_32_bit_bar_reads_its_address()
    {
        using var model = new IgbModel(new ModelNetwork(), new byte[] { 2, 0, 0, 0, 0, 1 }, 0x4000_0000, 1 << 20);
        Assert.True(PciFunction.TryReadMemoryBar(new ModelHost(model, "i").ConfigSpace(), 0, out ulong address));
        Assert.Equal((ulong)IgbModel.Bar0Address, address);
    }

    [Fact]
    public void The_capability_walk_finds_every_virtio_structure_and_ends()
    {
        using var model = new VirtioPciModel(new ModelNetwork(), new byte[] { 2, 0, 0, 0, 0, 1 });
        var config = new ModelHost(model, "v").ConfigSpace();
        int found = 0;
        for (uint at = PciFunction.FindCapability(config, PciConfig.VendorCapabilityId); at != 0;
             at = PciFunction.FindCapability(config, PciConfig.VendorCapabilityId, at))
            found++;
        Assert.Equal(5, found);                                               // common, notify, ISR, device, pci cfg
        Assert.Equal(0u, PciFunction.FindCapability(config, PciConfig.MsixCapabilityId));
    }
}
