using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
using Regs.Runtime;
using Regs.Runtime.Hosted;

namespace Regs.Drivers.Tests.Fakes;

/// <summary>
/// What a <see cref="FakeHost"/> shares among its copies: a virtual clock that moves only when the
/// driver waits (so every bounded wait is deterministic and takes no real time), DMA and private
/// memory from native blocks, the log, and what the platform claims (DMA translation). The
/// device, if any, says whether its interrupt is pending.
/// </summary>
public sealed unsafe class FakeHostState : IDisposable
{
    /// <summary>Device address of the first DMA byte: far from any CPU pointer, so a driver that hands the device a CPU address is caught.</summary>
    public const ulong DmaBase = 0x7_0000_0000;

    // Clock reads allowed without the clock moving: more means a driver loop that never waits.
    private const int SpinLimit = 1_000_000;

    private readonly byte* _dma;
    private readonly byte* _private;
    private int _readsSinceAdvance;

    /// <summary>A host with <paramref name="dmaBytes"/> of DMA memory and as much private memory.</summary>
    public FakeHostState(nuint dmaBytes = 4 << 20)
    {
        _dma = (byte*)NativeMemory.AlignedAlloc(dmaBytes, 4096);
        _private = (byte*)NativeMemory.AlignedAlloc(dmaBytes, 4096);
        Dma = new DmaArena(_dma, DmaBase, dmaBytes);
        Private = new DmaArena(_private, (ulong)_private, dmaBytes);
    }

    /// <summary>Virtual time in microseconds.</summary>
    public ulong Now { get; private set; } = 1_000;

    /// <summary>DMA memory (device addresses from <see cref="DmaBase"/>).</summary>
    public DmaArena Dma { get; }

    /// <summary>Private memory.</summary>
    public DmaArena Private { get; }

    /// <summary>What <see cref="IDriverHost.TranslatesDma"/> reports.</summary>
    public bool TranslatesDma { get; set; }

    /// <summary>True while the device's interrupt is raised; null when no device is attached.</summary>
    public Func<bool>? InterruptPending { get; set; }

    /// <summary>What <see cref="IDriverHost.InterruptVectors"/> reports: 0 for INTx, N for MSI-X vectors the platform enabled.</summary>
    public uint InterruptVectors { get; set; }

    /// <summary>
    /// With MSI-X: the platform took the device's message (as an eventfd read consumes it), so
    /// the device's pending causes are delivered once without any register read; set by the device.
    /// </summary>
    public Action? TakeMessage { get; set; }

    /// <summary>Every line the driver logged.</summary>
    public List<string> Log { get; } = new();

    /// <summary>Moves the clock on.</summary>
    public void Advance(ulong microseconds)
    {
        Now += microseconds;
        _readsSinceAdvance = 0;
    }

    /// <summary>The clock, for the driver; throws if the driver polls it endlessly without waiting.</summary>
    public ulong ReadClock()
    {
        if (++_readsSinceAdvance > SpinLimit) throw new InvalidOperationException("the driver reads the clock in a loop that never waits");
        return Now;
    }

    /// <summary>The CPU view of device memory at <paramref name="deviceAddress"/>; throws if it is not DMA memory the driver was given.</summary>
    public byte* Translate(ulong deviceAddress, ulong length)
    {
        byte* p = Dma.Translate(deviceAddress, length);
        if (p == null) throw new InvalidOperationException($"device access outside the driver's DMA memory: 0x{deviceAddress:X}+{length}");
        return p;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        NativeMemory.AlignedFree(_dma);
        NativeMemory.AlignedFree(_private);
    }
}

/// <summary>
/// A driver host for unit tests: <see cref="FakeHostState"/>'s virtual clock (Delay and an
/// interrupt wait that times out move it), its memory and log, INTx or MSI-X as the state says.
/// </summary>
public readonly unsafe struct FakeHost : IDriverHost
{
    private readonly FakeHostState _state;

    /// <summary>A handle on <paramref name="state"/>.</summary>
    public FakeHost(FakeHostState state) { _state = state; }

    /// <inheritdoc/>
    public ulong NowMicroseconds() => _state.ReadClock();
    /// <inheritdoc/>
    public void Delay(uint microseconds) => _state.Advance(microseconds);
    /// <inheritdoc/>
    public void Log(ReadOnlySpan<byte> utf8Line) => _state.Log.Add(Encoding.UTF8.GetString(utf8Line));
    /// <inheritdoc/>
    public void* AllocatePrivate(nuint length) => _state.Private.Allocate(length, 64).Cpu;
    /// <inheritdoc/>
    public DmaBuffer AllocateDma(nuint length, nuint alignment) => _state.Dma.Allocate(length, alignment);
    /// <inheritdoc/>
    public bool TranslatesDma => _state.TranslatesDma;
    /// <inheritdoc/>
    public uint InterruptVectors => _state.InterruptVectors;

    /// <summary>
    /// True at once when the device's interrupt is pending (with MSI-X its message is then taken);
    /// otherwise the whole timeout passes.
    /// </summary>
    public bool WaitForInterrupt(uint timeoutMicroseconds)
    {
        if (_state.InterruptPending?.Invoke() == true)
        {
            if (_state.InterruptVectors > 0) _state.TakeMessage?.Invoke();
            return true;
        }
        _state.Advance(timeoutMicroseconds);
        return false;
    }
}
