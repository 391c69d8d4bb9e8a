using System;
using System.Runtime.InteropServices;
using System.Threading;
using Regs.Runtime.Hosted;

namespace Regs.Runtime.Models;

/// <summary>
/// A device model: its register regions, the memory it may reach by DMA, its interrupt line and
/// its place on a <see cref="ModelNetwork"/>. Device behaviour runs synchronously inside register
/// accesses and frame deliveries, under the network's lock, so runs are deterministic.
/// </summary>
public abstract unsafe class DeviceModel : IDisposable
{
    private byte* _dma, _private;
    private readonly nuint _dmaLength, _privateLength;
    private long _dmaFaults;

    /// <summary>A model on <paramref name="network"/> whose driver gets <paramref name="dmaBytes"/> of DMA memory, seen by the device at <paramref name="dmaDeviceAddress"/>.</summary>
    protected DeviceModel(ModelNetwork network, ulong dmaDeviceAddress, nuint dmaBytes)
    {
        Network = network;
        _dmaLength = dmaBytes;
        _privateLength = 1 << 20;
        _dma = (byte*)NativeMemory.AlignedAlloc(dmaBytes, 4096);
        _private = (byte*)NativeMemory.AlignedAlloc(_privateLength, 4096);
        Dma = new DmaArena(_dma, dmaDeviceAddress, dmaBytes);
        Private = new DmaArena(_private, 0, _privateLength);
        Dma.Poison(Poison);
        Private.Poison(Poison);
    }

    /// <summary>The byte both arenas are filled with before the driver allocates; buffers are handed out zeroed.</summary>
    public const byte Poison = 0xA5;

    /// <summary>
    /// Bytes of the driver's DMA and private memory outside every buffer it was given that were
    /// written anyway (by the driver or the model): must stay 0.
    /// </summary>
    public long StrayWrites => Dma.BytesChangedOutsideBuffers(Poison) + Private.BytesChangedOutsideBuffers(Poison);

    /// <summary>The network the model is on.</summary>
    public ModelNetwork Network { get; }

    /// <summary>The memory handed to the driver for DMA; the model reaches nothing else.</summary>
    public DmaArena Dma { get; }

    /// <summary>The driver's private memory (never visible to the model).</summary>
    public DmaArena Private { get; }

    /// <summary>DMA accesses the model refused because they fell outside what the driver allocated.</summary>
    public long DmaFaults => Interlocked.Read(ref _dmaFaults);

    /// <summary>True while the model asserts its interrupt.</summary>
    public abstract bool InterruptAsserted { get; }

    /// <summary>Link state as the model's cable sees it.</summary>
    public abstract bool LinkUp { get; set; }

    /// <summary>The MAC address the model was given.</summary>
    public abstract ReadOnlySpan<byte> Mac { get; }

    /// <summary>A frame arriving from the wire; the model queues or drops it.</summary>
    public abstract void Deliver(ReadOnlySpan<byte> frame);

    /// <summary>Reads device memory by DMA; false (and a counted fault) outside the driver's DMA memory.</summary>
    protected bool DmaRead(ulong address, Span<byte> destination)
    {
        byte* p = Dma.Translate(address, (ulong)destination.Length);
        if (p == null) { Interlocked.Increment(ref _dmaFaults); return false; }
        new ReadOnlySpan<byte>(p, destination.Length).CopyTo(destination);
        return true;
    }

    /// <summary>Writes device memory by DMA; false (and a counted fault) outside the driver's DMA memory.</summary>
    protected bool DmaWrite(ulong address, ReadOnlySpan<byte> source)
    {
        byte* p = Dma.Translate(address, (ulong)source.Length);
        if (p == null) { Interlocked.Increment(ref _dmaFaults); return false; }
        source.CopyTo(new Span<byte>(p, source.Length));
        return true;
    }

    /// <summary>A pointer to a <typeparamref name="T"/> in DMA memory, null (and a counted fault) outside it.</summary>
    protected T* DmaPointer<T>(ulong address) where T : unmanaged
    {
        byte* p = Dma.Translate(address, (ulong)sizeof(T));
        if (p == null) Interlocked.Increment(ref _dmaFaults);
        return (T*)p;
    }

    /// <summary>Wakes a driver waiting for the interrupt (and signals <see cref="InterruptEventDescriptor"/> while it is asserted); call after the interrupt state may have changed.</summary>
    protected void InterruptChanged()
    {
        Monitor.PulseAll(Network.Lock);
        int fd = _interruptEvent;
        if (fd >= 0 && InterruptAsserted) ModelInterruptEvent.Signal(fd);
    }

    private int _interruptEvent = -1;

    /// <summary>
    /// An eventfd (non-blocking, readable) that becomes readable each time the model asserts its
    /// interrupt, made on first use and closed with the model: what VFIO's interrupt eventfd is for
    /// a real device, so a caller can wait on a model NIC and other descriptors in one poll().
    /// <see cref="ModelHost.WaitForInterrupt"/> resets it. Read-only: do not close it.
    /// </summary>
    public int InterruptEventDescriptor
    {
        get
        {
            lock (Network.Lock)
            {
                if (_interruptEvent < 0)
                {
                    _interruptEvent = ModelInterruptEvent.Open();
                    if (InterruptAsserted) ModelInterruptEvent.Signal(_interruptEvent);
                }
                return _interruptEvent;
            }
        }
    }

    /// <summary>Resets <see cref="InterruptEventDescriptor"/>'s count (if it was made).</summary>
    internal void DrainInterruptEvent()
    {
        int fd = _interruptEvent;
        if (fd >= 0) ModelInterruptEvent.Drain(fd);
    }

    /// <summary>Sends a frame onto the wire.</summary>
    protected void Transmit(ReadOnlySpan<byte> frame) => Network.Transmit(this, frame);

    /// <summary>Frees the model's memory; the driver must not run any more.</summary>
    public void Dispose()
    {
        if (_dma != null) { NativeMemory.AlignedFree(_dma); _dma = null; }
        if (_private != null) { NativeMemory.AlignedFree(_private); _private = null; }
        int fd = Interlocked.Exchange(ref _interruptEvent, -1);
        if (fd >= 0) ModelInterruptEvent.Close(fd);
        GC.SuppressFinalize(this);
    }
}
