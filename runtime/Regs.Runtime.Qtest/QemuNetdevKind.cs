namespace Regs.Runtime.Qtest;

/// <summary>What a NIC's other end is.</summary>
public enum QemuNetdevKind
{
    /// <summary>User-mode networking (slirp): gateway 10.0.2.2 answers ARP, ICMP echo and DHCP.</summary>
    User,
    /// <summary>A port on a QEMU hub: every NIC on the same hub receives what the others send.</summary>
    Hub,
    /// <summary>
    /// A vhost-user back end (say DPDK's testpmd) listening on <see cref="QemuNic.VhostUserSocket"/>:
    /// QEMU keeps the device's registers, the back end runs its virtqueues in guest memory. No
    /// filter-dump capture (QEMU refuses filters on vhost netdevs).
    /// </summary>
    VhostUser,
}
