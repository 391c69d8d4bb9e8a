using System;
using Regs.Drivers.Igb;
using Regs.Drivers.Virtio;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime.Models;
using Regs.Runtime.Models.Igb;
using Regs.Runtime.Models.Virtio;
using Regs.Virtio;

namespace Regs.Testing.NicKinds;

/// <summary>The in-process device model of each <see cref="NicKind"/>, and its driver opened on one.</summary>
public static class NicModels
{
    /// <summary>DMA memory each model gives its driver.</summary>
    public const int DmaBytes = 8 << 20;

    /// <summary>
    /// The model of NIC <paramref name="index"/>, a <paramref name="kind"/> with
    /// <paramref name="mac"/> on <paramref name="network"/>, at device addresses of its own (no two
    /// NICs' DMA windows overlap, so a driver that hands one device another's address is caught).
    /// </summary>
    public static DeviceModel Create(NicKind kind, ModelNetwork network, int index, MacAddress mac)
    {
        byte[] address = new byte[6];
        mac.CopyTo(address);
        ulong dma = 0x4000_0000ul * (ulong)(index + 1);
        return kind switch
        {
            NicKind.Igb => new IgbModel(network, address, dma, DmaBytes),
            NicKind.VirtioPci => new VirtioPciModel(network, address, dmaDeviceAddress: dma, dmaBytes: DmaBytes),
            NicKind.VirtioMmio => new VirtioMmioModel(network, address, 2, dmaDeviceAddress: dma, dmaBytes: DmaBytes),
            NicKind.VirtioMmioLegacy => new VirtioMmioModel(network, address, 1, dmaDeviceAddress: dma, dmaBytes: DmaBytes),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    /// <summary>
    /// Opens <paramref name="kind"/>'s driver on <paramref name="model"/> (from <see cref="Create"/>);
    /// igb takes only the interrupt mode from <paramref name="options"/>.
    /// </summary>
    public static NicStatus Open(NicKind kind, DeviceModel model, string name, VirtioNetOptions options, out INic nic)
    {
        var host = new ModelHost(model, name);
        switch (kind)
        {
            case NicKind.Igb:
                NicStatus status = IgbNic<ModelAccess, ModelHost>.Initialise(host, new IgbOptions { InterruptMode = options.InterruptMode }, out var igb);
                nic = igb;
                return status;
            case NicKind.VirtioPci:
                return OpenVirtio(VirtioPciTransport<ModelAccess>.TryOpen(ref host, VirtioDeviceType.Network, out var pci), pci, host, options, out nic);
            case NicKind.VirtioMmio:
                return OpenVirtio(VirtioMmioTransport<ModelAccess>.TryOpen(Registers(model), VirtioDeviceType.Network, out var mmio), mmio, host, options, out nic);
            default:
                return OpenVirtio(VirtioMmioLegacyTransport<ModelAccess>.TryOpen(Registers(model), VirtioDeviceType.Network, out var legacy), legacy, host, options, out nic);
        }
    }

    private static ModelAccess Registers(DeviceModel model) => new(((VirtioMmioModel)model).Registers);

    private static NicStatus OpenVirtio<TTransport>(NicStatus opened, TTransport transport, ModelHost host, VirtioNetOptions options, out INic nic)
        where TTransport : struct, IVirtioTransport<ModelAccess>
    {
        VirtioNet<ModelAccess, TTransport, ModelHost> net = default;
        NicStatus status = opened == NicStatus.Ok ? VirtioNet<ModelAccess, TTransport, ModelHost>.Initialise(transport, host, options, out net) : opened;
        nic = net;
        return status;
    }
}
