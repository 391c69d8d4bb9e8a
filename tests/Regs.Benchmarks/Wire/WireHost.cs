using System;
using System.Runtime.InteropServices;
using Regs.Runtime;
using Regs.Runtime.Models;
using Regs.Runtime.Pci;

namespace Regs.Benchmarks.Wire;

/// <summary>
/// The driver host for the wire benchmarks: memory, clock and log from <see cref="ModelHost"/>,
/// registers through <see cref="WireAccess"/> so they can be moved off the model after
/// initialisation. Each BAR gets a plain register file the size of the model's BAR space.
/// </summary>
public readonly unsafe struct WireHost : IDriverHost, IPciHost<WireAccess>
{
    private const int RegisterFileBytes = 128 * 1024;

    private readonly ModelHost _model;
    private readonly byte** _files;      // one plain register file per BAR (configuration space is index 6)
    private readonly WireSwitch* _switch;

    public WireHost(DeviceModel device, string name)
    {
        _model = new ModelHost(device, name);
        _files = (byte**)NativeMemory.AllocZeroed(7, (nuint)sizeof(byte*));
        for (int i = 0; i < 7; i++) _files[i] = (byte*)NativeMemory.AlignedAlloc(RegisterFileBytes, 4096);
        for (int i = 0; i < 7; i++) new Span<byte>(_files[i], RegisterFileBytes).Clear();
        _switch = (WireSwitch*)NativeMemory.AllocZeroed((nuint)sizeof(WireSwitch));
    }

    /// <summary>
    /// Copies the first <paramref name="bytes"/> of BAR <paramref name="bar"/> from the model into
    /// its plain register file (so the data path reads what the device last showed, e.g. STATUS,
    /// TCTL) and moves every handle of this host to the plain files.
    /// </summary>
    public void GoLive(uint bar, nuint bytes)
    {
        if (!_model.TryMapBar(bar, out ModelAccess model, out _)) throw new InvalidOperationException($"no BAR {bar}");
        for (nuint offset = 0; offset < bytes; offset += 4) *(uint*)(_files[bar] + offset) = model.Read32(offset);
        _switch->Live = true;
    }

    /// <summary>The plain register file of BAR <paramref name="index"/>.</summary>
    public MmioPointer<NoClock> File(uint index) => new(_files[index]);

    public ulong NowMicroseconds() => _model.NowMicroseconds();
    public void Delay(uint microseconds) => _model.Delay(microseconds);
    public void Log(ReadOnlySpan<byte> utf8Line) => _model.Log(utf8Line);
    public void* AllocatePrivate(nuint length) => _model.AllocatePrivate(length);
    public DmaBuffer AllocateDma(nuint length, nuint alignment) => _model.AllocateDma(length, alignment);
    public uint InterruptVectors => _model.InterruptVectors;
    public bool TranslatesDma => _model.TranslatesDma;
    public bool WaitForInterrupt(uint timeoutMicroseconds) => _model.WaitForInterrupt(timeoutMicroseconds);

    public WireAccess ConfigSpace() => new(_model.ConfigSpace(), _files[6], _switch);

    public bool TryMapBar(uint index, out WireAccess registers, out ulong length)
    {
        registers = default;
        length = 0;
        if (index >= 6 || !_model.TryMapBar(index, out ModelAccess bar, out length)) return false;
        registers = new WireAccess(bar, _files[index], _switch);
        return true;
    }
}
