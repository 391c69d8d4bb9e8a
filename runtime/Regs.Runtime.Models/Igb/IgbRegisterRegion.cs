namespace Regs.Runtime.Models.Igb;

/// <summary>
/// BAR0 of the model: 128 KiB of 32-bit registers. Like QEMU's region (4-byte accesses only), a
/// narrower read reads the whole register, side effects included, and returns the bytes asked for;
/// narrower or misaligned writes are ignored, as are offsets beyond the window.
/// </summary>
internal sealed class IgbRegisterRegion : ModelRegion
{
    private readonly IgbModel _model;

    public IgbRegisterRegion(IgbModel model) : base(model) { _model = model; }

    /// <inheritdoc/>
    protected override uint OnRead(nuint offset, int size)
    {
        if (offset >= IgbRegisters.RegionBytes || size is not (1 or 2 or 4)) return 0;
        int at = (int)offset;
        int shift = (at & 3) * 8;
        if (shift + size * 8 > 32) return 0;
        uint value = _model.ReadRegister(at & ~3);
        return size == 4 ? value : (value >> shift) & ((1u << (size * 8)) - 1);
    }

    /// <inheritdoc/>
    protected override void OnWrite(nuint offset, int size, uint value)
    {
        if (offset >= IgbRegisters.RegionBytes || size != 4 || (offset & 3) != 0) return;
        _model.WriteRegister((int)offset, value);
    }
}
