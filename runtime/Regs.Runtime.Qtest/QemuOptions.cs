using System;
using System.Collections.Generic;

namespace Regs.Runtime.Qtest;

/// <summary>How to start a <see cref="QemuMachine"/>.</summary>
public sealed class QemuOptions
{
    /// <summary>The machine type.</summary>
    public QemuMachineKind Machine { get; init; } = QemuMachineKind.Q35;

    /// <summary>
    /// microvm only: true keeps virtio-mmio transports legacy (version 1, QEMU's default), false
    /// makes them modern (version 2) with <c>-global virtio-mmio.force-legacy=false</c>.
    /// </summary>
    public bool VirtioMmioForceLegacy { get; init; } = true;

    /// <summary>The NICs, in order; NIC i has netdev id <c>n{i}</c>.</summary>
    public IReadOnlyList<QemuNic> Nics { get; init; } = Array.Empty<QemuNic>();

    /// <summary>Guest RAM in MiB (at least 32: DMA buffers come from 16 MiB up).</summary>
    public int MemoryMiB { get; init; } = 128;

    /// <summary>Prefix of log lines of hosts on this machine.</summary>
    public string Name { get; init; } = "qemu";

    /// <summary>Bound on every wait for QEMU: connecting at start-up and each reply.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Hubs that also get a slirp gateway (10.0.2.2) as a port, so NICs on the hub reach each
    /// other and the gateway alike.
    /// </summary>
    public IReadOnlyList<int> GatewayOnHubs { get; init; } = Array.Empty<int>();

    /// <summary>
    /// Where QEMU logs its warnings about the driver (<see cref="QemuLog"/>); the caller keeps the
    /// file (deleted at dispose when QEMU logged nothing). Null: the file named by the environment
    /// variable <see cref="QemuLog.PathVariable"/> when set, else a file in the temporary folder
    /// that the machine deletes when it is disposed (its warnings stay readable through
    /// <see cref="QemuMachine.Log"/>).
    /// </summary>
    public string? LogPath { get; init; }

    /// <summary>More QEMU arguments, appended as given.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = Array.Empty<string>();
}
