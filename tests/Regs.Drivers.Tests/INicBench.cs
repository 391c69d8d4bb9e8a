using System;
using System.Collections.Generic;
using Regs.Drivers.Virtio;
using Regs.Nic;

namespace Regs.Drivers.Tests;

/// <summary>
/// A set of NICs of one kind on one backend (QEMU through qtest, or the in-process models): either
/// one NIC wired to a slirp-like gateway at 10.0.2.2, or two NICs wired to each other.
/// </summary>
public interface INicBench : IDisposable
{
    /// <summary>
    /// Initialises the driver for NIC <paramref name="index"/> with <paramref name="options"/>
    /// (igb takes only the interrupt mode); fails the test if it does not come up.
    /// </summary>
    INic Open(int index, VirtioNetOptions options);

    /// <summary>The MAC the backend gave NIC <paramref name="index"/>.</summary>
    ulong ExpectedMac(int index);

    /// <summary>Pulls NIC <paramref name="index"/>'s cable (or plugs it back in).</summary>
    void SetLink(int index, bool up);

    /// <summary>Every frame NIC <paramref name="index"/> put on the wire, in order, as the wire saw it.</summary>
    IReadOnlyList<byte[]> Transmitted(int index);
}

/// <summary>How the NICs of a bench are wired.</summary>
public enum Wiring
{
    /// <summary>One NIC and a gateway at 10.0.2.2 that answers ARP and ICMP echo (QEMU: slirp).</summary>
    Gateway,
    /// <summary>Two NICs on one wire (QEMU: a hub).</summary>
    BackToBack,
}
