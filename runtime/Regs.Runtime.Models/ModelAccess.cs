namespace Regs.Runtime.Models;

/// <summary>
/// The register-access backend over a device model: each access becomes a call into the model's
/// region, so drivers run against the model exactly as against hardware.
/// </summary>
public readonly struct ModelAccess : IRegisterAccess<ModelAccess>
{
    private readonly ModelRegion _region;
    private readonly nuint _base;

    /// <summary>The registers of <paramref name="region"/> from offset <paramref name="baseOffset"/>.</summary>
    public ModelAccess(ModelRegion region, nuint baseOffset = 0) { _region = region; _base = baseOffset; }

    /// <summary>The region accessed.</summary>
    public ModelRegion Region => _region;

    /// <inheritdoc/>
    public byte Read8(nuint offset) => (byte)_region.Read(_base + offset, 1);
    /// <inheritdoc/>
    public ushort Read16(nuint offset) => (ushort)_region.Read(_base + offset, 2);
    /// <inheritdoc/>
    public uint Read32(nuint offset) => _region.Read(_base + offset, 4);
    /// <inheritdoc/>
    public void Write8(nuint offset, byte value) => _region.Write(_base + offset, 1, value);
    /// <inheritdoc/>
    public void Write16(nuint offset, ushort value) => _region.Write(_base + offset, 2, value);
    /// <inheritdoc/>
    public void Write32(nuint offset, uint value) => _region.Write(_base + offset, 4, value);
    /// <inheritdoc/>
    public ModelAccess At(nuint offset) => new(_region, _base + offset);
    /// <inheritdoc/>
    public void Delay(uint microseconds) => Hosted.MonotonicClock.Delay(microseconds);
}
