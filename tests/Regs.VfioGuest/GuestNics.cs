using Regs.Drivers.Igb;
using Regs.Drivers.Virtio;
using Regs.Nic;
using Regs.Runtime;
using Regs.Runtime.Pci;
using Regs.Runtime.Vfio;
using Regs.Virtio;

namespace Regs.VfioGuest;

/// <summary>Both drivers on any user-space PCI host (VFIO, raw, or one that misplaces DMA), as every guest check opens them.</summary>
internal static class GuestNics
{
    /// <summary>igb on <paramref name="host"/>.</summary>
    public static NicStatus OpenIgb<THost>(THost host, bool interrupts, out IgbNic<UserspaceAccess, THost> igb)
        where THost : struct, IDriverHost, IPciHost<UserspaceAccess>
        => IgbNic<UserspaceAccess, THost>.Initialise(host, new IgbOptions { InterruptMode = interrupts }, out igb);

    /// <summary>virtio-net on the modern virtio-pci function <paramref name="host"/> exposes.</summary>
    public static NicStatus OpenVirtio<THost>(THost host, bool interrupts, out VirtioNet<UserspaceAccess, VirtioPciTransport<UserspaceAccess>, THost> net)
        where THost : struct, IDriverHost, IPciHost<UserspaceAccess>
    {
        net = default;
        NicStatus status = VirtioPciTransport<UserspaceAccess>.TryOpen(ref host, VirtioDeviceType.Network, out var transport);
        return status != NicStatus.Ok ? status
            : VirtioNet<UserspaceAccess, VirtioPciTransport<UserspaceAccess>, THost>.Initialise(transport, host, new VirtioNetOptions { InterruptMode = interrupts }, out net);
    }
}
