using System;
using Regs.Runtime.Models;
using Regs.Runtime.Models.Igb;
using Regs.Runtime.Models.Virtio;

namespace Regs.Demo;

/// <summary>--backend model: the in-process igb and virtio-net-pci models, cabled to each other.</summary>
internal static class ModelBackend
{
    public static int Run(bool interrupts)
    {
        Console.WriteLine($"Regs demo: in-process device models (igb 82576 and virtio-net-pci), back to back, {(interrupts ? "interrupt" : "polling")} mode");
        Span<byte> igbMac = stackalloc byte[6], virtioMac = stackalloc byte[6];
        Stations.IgbMac.CopyTo(igbMac);
        Stations.VirtioMac.CopyTo(virtioMac);
        var network = new ModelNetwork();
        using var igb = new IgbModel(network, igbMac.ToArray(), 0x4000_0000, 8 << 20);
        using var virtio = new VirtioPciModel(network, virtioMac.ToArray(), dmaDeviceAddress: 0x8000_0000, dmaBytes: 8 << 20);
        network.Connect(igb, virtio);
        return Conversation.Run<ModelAccess, ModelHost>(new ModelHost(igb, "igb"), new ModelHost(virtio, "virtio-net"), interrupts, gateway: false,
            () => $"igb BAR0 {igb.Registers.Reads} reads, {igb.Registers.Writes} writes; config {igb.Config.Reads + igb.Config.Writes} accesses | " +
                  $"virtio-net BAR4 {virtio.Bar4Region.Reads} reads, {virtio.Bar4Region.Writes} writes; config {virtio.Config.Reads + virtio.Config.Writes} accesses | " +
                  $"DMA faults {igb.DmaFaults + virtio.DmaFaults}");
    }
}
