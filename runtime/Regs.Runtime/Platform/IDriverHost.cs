using System;

namespace Regs.Runtime;

/// <summary>
/// What a driver needs from the system it runs on, for one device: a monotonic clock, delays,
/// a log, memory for its own bookkeeping, DMA memory the device can reach, and a way to wait for
/// the device's interrupt. Bare metal, VFIO, qtest and the in-process models each implement it
/// as a struct; drivers are generic over it, so calls are direct and nothing is boxed.
/// </summary>
public unsafe interface IDriverHost
{
    /// <summary>Monotonic time in microseconds from an arbitrary origin.</summary>
    ulong NowMicroseconds();

    /// <summary>Waits at least <paramref name="microseconds"/>.</summary>
    void Delay(uint microseconds);

    /// <summary>Writes one line of UTF-8 text to the platform's log (console, serial port).</summary>
    void Log(ReadOnlySpan<byte> utf8Line);

    /// <summary>
    /// Zeroed memory for the driver's own bookkeeping, never visible to the device; null when
    /// exhausted. It lives as long as the host (drivers allocate only while initialising).
    /// </summary>
    void* AllocatePrivate(nuint length);

    /// <summary>
    /// Zeroed memory the device can reach by DMA, aligned to <paramref name="alignment"/> (a power
    /// of two, at most a page), physically contiguous from the device's point of view; the empty
    /// buffer when exhausted. It lives as long as the host.
    /// </summary>
    DmaBuffer AllocateDma(nuint length, nuint alignment);

    /// <summary>
    /// True when the device's DMA addresses pass through a translation the platform set up (an
    /// IOMMU under VFIO): virtio devices must then be told VIRTIO_F_ACCESS_PLATFORM.
    /// </summary>
    bool TranslatesDma { get; }

    /// <summary>
    /// How the device's interrupts reach <see cref="WaitForInterrupt"/>: 0 for one level-triggered
    /// line (INTx), N for MSI-X with vectors 0..N-1 already enabled by the platform (VFIO), which
    /// the driver then assigns to its causes. Every host supports 0.
    /// </summary>
    uint InterruptVectors { get; }

    /// <summary>
    /// Waits until the device raises its interrupt or <paramref name="timeoutMicroseconds"/> pass;
    /// true if it was raised. Platforms without interrupt delivery return false after the timeout.
    /// </summary>
    bool WaitForInterrupt(uint timeoutMicroseconds);
}
