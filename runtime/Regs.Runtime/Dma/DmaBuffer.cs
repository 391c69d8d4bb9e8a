using System;
using System.Runtime.CompilerServices;

namespace Regs.Runtime;

/// <summary>
/// Memory a device reads or writes by DMA: where the CPU sees it and the address the device is
/// told. The device address is physical on bare metal, an IOVA under VFIO and guest-physical under
/// qtest; drivers never hand a CPU pointer to a device.
/// </summary>
public readonly unsafe struct DmaBuffer
{
    /// <summary>The CPU's view.</summary>
    public readonly byte* Cpu;
    /// <summary>The address the device uses for the first byte.</summary>
    public readonly ulong Device;
    /// <summary>Length in bytes.</summary>
    public readonly nuint Length;

    /// <summary>A buffer of <paramref name="length"/> bytes seen by the CPU at <paramref name="cpu"/> and by the device at <paramref name="device"/>.</summary>
    public DmaBuffer(byte* cpu, ulong device, nuint length) { Cpu = cpu; Device = device; Length = length; }

    /// <summary>True for the empty value (an allocation that failed).</summary>
    public bool IsEmpty => Cpu == null;

    /// <summary>
    /// The part of this buffer from <paramref name="offset"/> of at most <paramref name="length"/> bytes,
    /// clamped to the buffer so a slice never reaches outside it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public DmaBuffer Slice(nuint offset, nuint length)
    {
        if (offset > Length) offset = Length;
        if (length > Length - offset) length = Length - offset;
        return new DmaBuffer(Cpu + offset, Device + offset, length);
    }

    /// <summary>The CPU view of the buffer as a span.</summary>
    public Span<byte> Span => new(Cpu, (int)Length);

    /// <summary>The CPU view of the object of type <typeparamref name="T"/> at <paramref name="offset"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T* As<T>(nuint offset = 0) where T : unmanaged => (T*)(Cpu + offset);
}
