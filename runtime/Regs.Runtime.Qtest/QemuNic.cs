namespace Regs.Runtime.Qtest;

/// <summary>
/// One NIC of a machine: its device model, MAC address, where it sits and what it is connected to.
/// NIC number i gets netdev id <c>n{i}</c> (the name <c>set_link</c> takes) and device id <c>nic{i}</c>.
/// </summary>
/// <param name="Model">The QEMU device model.</param>
/// <param name="Mac">The MAC address, as <c>52:54:00:12:34:56</c>.</param>
public sealed record QemuNic(QemuNicModel Model, string Mac)
{
    /// <summary>
    /// q35 PCI slot (device number on bus 0, 1-24); null picks 2 + the NIC's index. Explicit so the
    /// INTx routing (which depends on the slot) is known.
    /// </summary>
    public int? Slot { get; init; }

    /// <summary>What the NIC is connected to: slirp or a hub.</summary>
    public QemuNetdevKind Netdev { get; init; } = QemuNetdevKind.User;

    /// <summary>The hub for <see cref="QemuNetdevKind.Hub"/>; NICs on the same hub see each other's frames.</summary>
    public int HubId { get; init; }

    /// <summary>When set, a pcap file QEMU's filter-dump writes every frame of this NIC's netdev to (both directions).</summary>
    public string? CapturePath { get; init; }

    /// <summary>For <see cref="QemuNetdevKind.VhostUser"/>: the back end's listening unix socket.</summary>
    public string? VhostUserSocket { get; init; }
}
