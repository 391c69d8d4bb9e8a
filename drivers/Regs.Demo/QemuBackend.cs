using System;
using Regs.Runtime.Qtest;

namespace Regs.Demo;

/// <summary>--backend qemu: QEMU's own igb and virtio-net-pci models through qtest, on one hub with slirp.</summary>
internal static class QemuBackend
{
    public static int Run(bool interrupts)
    {
        var options = new QemuOptions
        {
            Name = "demo",
            Nics = new[]
            {
                new QemuNic(QemuNicModel.Igb, Stations.IgbMac.ToString()) { Slot = 2, Netdev = QemuNetdevKind.Hub },
                new QemuNic(QemuNicModel.VirtioNetPci, Stations.VirtioMac.ToString()) { Slot = 3, Netdev = QemuNetdevKind.Hub },
            },
            GatewayOnHubs = new[] { 0 },
        };
        using var machine = new QemuMachine(options);
        Console.WriteLine($"Regs demo: QEMU {machine.Version} device models through qtest (q35; igb and virtio-net-pci on one hub with slirp), {(interrupts ? "interrupt" : "polling")} mode, started in {machine.StartupTime.TotalMilliseconds:F0} ms");
        return Conversation.Run<QtestAccess, QtestHost>(machine.NicHost(0, "igb"), machine.NicHost(1, "virtio-net"), interrupts, gateway: true,
            () => $"{machine.Connection.Commands} qtest commands (MMIO, port I/O and config accesses)");
    }
}
