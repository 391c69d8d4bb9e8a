using System;
using Regs.Drivers.Igb;
using Regs.Drivers.Virtio;
using Regs.Nic;
using Regs.Runtime.Qtest;
using Regs.Testing.NicKinds;
using Regs.Virtio;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>Starts QEMU machines holding NICs of a kind and opens the drivers on them over qtest.</summary>
public static class QtestNics
{
    /// <summary>MACs given to QEMU, one per NIC index.</summary>
    public static string MacText(int index) => $"52:54:00:12:34:{0x56 + index:x2}";

    /// <summary>The same MAC as the driver reports it.</summary>
    public static ulong MacBits(int index) => 0x0000_5634_1200_5452ul + ((ulong)index << 40);

    /// <summary>
    /// A machine with <paramref name="count"/> NICs of <paramref name="kind"/>, on slirp or on one
    /// hub, each captured to a pcap file; QEMU's warnings go to a log of the test's own under
    /// artifacts/qemu-logs (<see cref="QemuWarnings"/>).
    /// </summary>
    public static QemuMachine Start(NicKind kind, int count, QemuNetdevKind netdev, string name)
    {
        var nics = new QemuNic[count];
        for (int i = 0; i < count; i++)
            nics[i] = new QemuNic(kind switch
            {
                NicKind.Igb => QemuNicModel.Igb,
                NicKind.VirtioPci => QemuNicModel.VirtioNetPci,
                _ => QemuNicModel.VirtioNetDevice,
            }, MacText(i))
            {
                Netdev = netdev,
                CapturePath = CapturePath(name, i),
                // QEMU's igb reserves devfn + 0x80 for its SR-IOV VFs (8 VFs, stride 2: four slots
                // 16 above the PF), so two igbs must sit four slots apart.
                Slot = kind == NicKind.Igb ? 2 + 4 * i : null,
            };
        return new QemuMachine(new QemuOptions
        {
            Name = name,
            Machine = kind is NicKind.VirtioMmio or NicKind.VirtioMmioLegacy ? QemuMachineKind.Microvm : QemuMachineKind.Q35,
            VirtioMmioForceLegacy = kind == NicKind.VirtioMmioLegacy,
            Nics = nics,
            LogPath = QemuWarnings.NewLogPath("qtest-" + name),
        });
    }

    /// <summary>Where NIC <paramref name="index"/>'s traffic is captured.</summary>
    public static string CapturePath(string name, int index)
        => System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"regs-{name}-{Environment.ProcessId}-{index}.pcap");

    /// <summary>Initialises the driver for NIC <paramref name="index"/> (igb takes only the interrupt mode from <paramref name="options"/>); the test fails if it does not come up.</summary>
    public static INic Open(QemuMachine machine, NicKind kind, int index, VirtioNetOptions options)
    {
        QtestHost host = machine.NicHost(index);
        INic nic;
        NicStatus status;
        switch (kind)
        {
            case NicKind.VirtioPci:
            {
                Assert.Equal(NicStatus.Ok, VirtioPciTransport<QtestAccess>.TryOpen(ref host, VirtioDeviceType.Network, out var t));
                status = VirtioNet<QtestAccess, VirtioPciTransport<QtestAccess>, QtestHost>.Initialise(t, host, options, out var n);
                nic = n;
                break;
            }
            case NicKind.VirtioMmio:
            {
                Assert.Equal(NicStatus.Ok, VirtioMmioTransport<QtestAccess>.TryOpen(host.Registers, VirtioDeviceType.Network, out var t));
                status = VirtioNet<QtestAccess, VirtioMmioTransport<QtestAccess>, QtestHost>.Initialise(t, host, options, out var n);
                nic = n;
                break;
            }
            case NicKind.VirtioMmioLegacy:
            {
                Assert.Equal(NicStatus.Ok, VirtioMmioLegacyTransport<QtestAccess>.TryOpen(host.Registers, VirtioDeviceType.Network, out var t));
                status = VirtioNet<QtestAccess, VirtioMmioLegacyTransport<QtestAccess>, QtestHost>.Initialise(t, host, options, out var n);
                nic = n;
                break;
            }
            default:
            {
                status = IgbNic<QtestAccess, QtestHost>.Initialise(host, new IgbOptions { InterruptMode = options.InterruptMode }, out var n);
                nic = n;
                break;
            }
        }
        Assert.Equal(NicStatus.Ok, status);
        return nic;
    }
}
