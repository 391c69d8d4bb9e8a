using System;
using System.Collections.Generic;
using Regs.Drivers.Virtio;
using Regs.Nic;
using Regs.Runtime.Qtest;
using Regs.Net;
using Regs.Testing.NicKinds;
using Regs.Testing.Traffic;

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

    /// <summary>Starts QEMU with <paramref name="count"/> NICs on <paramref name="testpmd"/>'s first ports.</summary>
    public VhostUserBench(Testpmd testpmd, int count, string name)
    {
        if (count > testpmd.Sockets.Length) throw new ArgumentException($"testpmd has {testpmd.Sockets.Length} ports", nameof(count));
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
    /// A frame each way between NICs <paramref name="a"/> and <paramref name="b"/> (an
    /// EtherType of its own, so later traffic passes over it; another every 500 ms until one
    /// arrives), waiting up to 10 s for each direction; fails
    /// the test if the wire does not carry them. QEMU shows the link up in the device
    /// configuration at DRIVER_OK (and at set_link on), while DPDK takes the rings over on its
    /// own thread and testpmd polls them on a core it shares: measured over 25 fresh starts with
    /// testpmd's ports already up, the first frame took under 25 ms 20 times, under 100 ms 3
    /// times, 809 ms once and over 1 s twice (testpmd's RX counter still 0: the frame was still
    /// in the sender's transmit ring), always under 4 s. The scenarios' own waits (2 s for an
    /// ARP answer) are sized for QEMU's device, which moves a frame inside the kick; priming
    /// keeps them meaningful here. Done with frames, not testpmd's prompt: under load testpmd
    /// once left a command unanswered for 30 s while QEMU was changing its ports.
    /// </summary>
    public void Prime(INic a, INic b)
    {
        // LastError is not checked: after a recovery it keeps the fault recovered from. Frames
        // of other traffic met on the way are passed over (and so lost to that traffic).
        var prime = new NicTraffic<INic>(a, b) { EtherType = PrimeEtherType, WireKeepsOrder = true };
        PrimeOneWay(prime, 0);
        PrimeOneWay(prime, 1);
    }

    /// <summary>The EtherType of <see cref="Prime"/>'s frames (0x88B7, OUI-extended: none of the suites' traffic uses it).</summary>
    public const ushort PrimeEtherType = 0x88B7;

    private static void PrimeOneWay(NicTraffic<INic> prime, int from)
    {
        int to = 1 - from;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TrafficFlow flow = prime.Flow(from, to);
        TimeSpan lastSent = TimeSpan.FromSeconds(-1);
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            // Another frame every 500 ms, as ARP retries: testpmd drops a frame it cannot hand
            // to the other port within its retries (measured: TX-dropped 1 on a port whose
            // device was not running yet). A transmit ring still full of earlier traffic
            // refuses the frame: it goes again on the next pass.
            if (clock.Elapsed - lastSent > TimeSpan.FromMilliseconds(500) && prime.Send(from, 1).Count == 1) lastSent = clock.Elapsed;
            prime.Wait(to, 1_000);
            prime.Receive(to);
            prime.Receive(from);
            if (flow.Delivered > 0) return;
        }
        throw new InvalidOperationException($"no frame from NIC {from} reached NIC {to} within 10 s ({flow.Sent} sent): {prime.Describe()}");
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
