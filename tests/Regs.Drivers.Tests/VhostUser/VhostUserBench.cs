using System;
using System.Collections.Generic;
using Regs.Drivers.Virtio;
using Regs.Nic;
using Regs.Runtime.Qtest;
using Regs.Testing.NicKinds;

namespace Regs.Drivers.Tests.VhostUser;

/// <summary>
/// virtio-net-pci NICs in one QEMU (q35, driven over qtest) whose data path is DPDK's vhost
/// library: NIC i's netdev is <c>vhost-user</c> on testpmd's port i. With testpmd in <c>io</c>
/// mode, ports 0 and 1 forward to each other: two NICs back to back through DPDK, which keeps
/// order (one queue pair each way, one forwarding core). QEMU keeps the device's registers,
/// configuration space and link status; DPDK reads and writes the rings in guest RAM.
/// </summary>
public sealed class VhostUserBench : INicBench
{
    private readonly QemuMachine _machine;
    private readonly Testpmd _testpmd;

    /// <summary>Starts QEMU with <paramref name="count"/> NICs on <paramref name="testpmd"/>'s first ports.</summary>
    public VhostUserBench(Testpmd testpmd, int count, string name)
    {
        if (count > testpmd.Sockets.Length) throw new ArgumentException($"testpmd has {testpmd.Sockets.Length} ports", nameof(count));
        _testpmd = testpmd;
        testpmd.WaitUntilConnectable();
        var nics = new QemuNic[count];
        for (int i = 0; i < count; i++)
            nics[i] = new QemuNic(QemuNicModel.VirtioNetPci, QtestNics.MacText(i)) { Netdev = QemuNetdevKind.VhostUser, VhostUserSocket = testpmd.Sockets[i] };
        _machine = new QemuMachine(new QemuOptions { Name = name, Machine = QemuMachineKind.Q35, Nics = nics });
    }

    /// <summary>The machine, for monitor commands and qtest counters.</summary>
    public QemuMachine Machine => _machine;

    /// <inheritdoc/>
    public INic Open(int index, VirtioNetOptions options) => QtestNics.Open(_machine, NicKind.VirtioPci, index, options);

    /// <summary>
    /// Until testpmd's ports for the first <paramref name="count"/> NICs are up: QEMU reports the
    /// link up in the device's configuration as soon as the driver sets DRIVER_OK, while DPDK
    /// takes the rings over asynchronously (vhost-user messages on its own thread); a frame
    /// forwarded to a port that is not up yet is dropped after testpmd's retries.
    /// </summary>
    public void WaitForWire(int count)
    {
        if (!_testpmd.WaitForPorts(count, TimeSpan.FromSeconds(5)))
            throw new InvalidOperationException($"testpmd's ports did not come up within 5 s: {_testpmd.Command("show port summary all")}");
    }

    /// <summary>What NIC <paramref name="index"/>'s device offers (read before the driver starts).</summary>
    public ulong OfferedFeatures(int index)
    {
        QtestHost host = _machine.NicHost(index);
        if (VirtioPciTransport<QtestAccess>.TryOpen(ref host, Regs.Virtio.VirtioDeviceType.Network, out var transport) != NicStatus.Ok)
            throw new InvalidOperationException($"NIC {index} is not a modern virtio-pci network device");
        return transport.ReadDeviceFeatures();
    }

    /// <inheritdoc/>
    public ulong ExpectedMac(int index) => QtestNics.MacBits(index);

    /// <summary>
    /// QEMU's <c>set_link</c> on the vhost-user netdev. The device's status field changes and
    /// QEMU stops the back end (link down: QEMU takes the rings back and drops what the driver
    /// queues for transmission) or starts it again (link up); testpmd sees its port go down or up.
    /// </summary>
    public void SetLink(int index, bool up) => _machine.SetLink(index, up);

    /// <summary>
    /// Not available: QEMU refuses filter-dump on vhost netdevs and testpmd records nothing, so
    /// these tests check frames at the receiving NIC (every frame numbered, byte for byte).
    /// </summary>
    public IReadOnlyList<byte[]> Transmitted(int index)
        => throw new NotSupportedException("no capture on a vhost-user netdev: check frames at the receiver");

    /// <inheritdoc/>
    public void Dispose() => _machine.Dispose();
}
