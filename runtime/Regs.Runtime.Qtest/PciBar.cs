namespace Regs.Runtime.Qtest;

/// <summary>One base address register as assigned: where it decodes and how large it is.</summary>
/// <param name="Index">The BAR number (0-5); a 64-bit BAR also occupies Index + 1.</param>
/// <param name="Address">The guest-physical address (memory) or port (I/O) assigned.</param>
/// <param name="Size">Bytes decoded, a power of two.</param>
/// <param name="IsIo">An I/O space BAR (drivers cannot map it).</param>
/// <param name="Is64Bit">A 64-bit memory BAR spanning two slots.</param>
/// <param name="Prefetchable">Prefetchable memory.</param>
public readonly record struct PciBar(int Index, ulong Address, ulong Size, bool IsIo, bool Is64Bit, bool Prefetchable)
{
    /// <summary>"BAR0 mem 0xe0000000+0x20000", with 64-bit/prefetchable flags: addresses in hex for diagnostics.</summary>
    public override string ToString()
        => $"BAR{Index} {(IsIo ? "io" : "mem")} 0x{Address:x}+0x{Size:x}{(Is64Bit ? " 64-bit" : "")}{(Prefetchable ? " prefetchable" : "")}";
}
