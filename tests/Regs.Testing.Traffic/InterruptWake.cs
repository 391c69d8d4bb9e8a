using System;

namespace Regs.Testing.Traffic;

/// <summary>How a NIC asleep in WaitForReceive in interrupt mode woke for a frame (see <see cref="NicTraffic{TNic}.WakeByInterrupt"/>).</summary>
/// <param name="Woke">WaitForReceive returned true.</param>
/// <param name="Waited">How long it slept.</param>
/// <param name="Interrupts">How much its interrupt counter rose while it slept.</param>
public readonly record struct InterruptWake(bool Woke, TimeSpan Waited, ulong Interrupts);
