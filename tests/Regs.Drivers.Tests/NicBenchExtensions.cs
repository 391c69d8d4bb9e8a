using Regs.Drivers.Virtio;
using Regs.Nic;

namespace Regs.Drivers.Tests;

/// <summary>Opening a bench's NICs the usual way.</summary>
public static class NicBenchExtensions
{
    /// <summary>Initialises the driver for NIC <paramref name="index"/> with its defaults, in interrupt mode or polling.</summary>
    public static INic Open(this INicBench bench, int index, bool interrupts) => bench.Open(index, new VirtioNetOptions { InterruptMode = interrupts });
}
