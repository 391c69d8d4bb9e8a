using Regs.Runtime;
using Regs.Runtime.Models;

namespace Regs.Benchmarks.Wire;

/// <summary>
/// Register access for the wire benchmarks. While the driver initialises, accesses go to the real
/// device model (reset, PHY, feature negotiation all behave); once <see cref="WireSwitch.Live"/>
/// is set, they go to a plain register file in memory, as on hardware with no side effects, so the
/// data path measures the driver and not the model. The price is one load and one predictable
/// branch per register access, which the data path does once or twice per batch.
/// </summary>
public readonly unsafe struct WireAccess : IRegisterAccess<WireAccess>
{
    private readonly ModelAccess _model;
    private readonly MmioPointer<NoClock> _raw;
    private readonly WireSwitch* _switch;

    public WireAccess(ModelAccess model, byte* raw, WireSwitch* wireSwitch)
    {
        _model = model;
        _raw = new MmioPointer<NoClock>(raw);
        _switch = wireSwitch;
    }

    public byte Read8(nuint offset) => _switch->Live ? _raw.Read8(offset) : _model.Read8(offset);
    public ushort Read16(nuint offset) => _switch->Live ? _raw.Read16(offset) : _model.Read16(offset);
    public uint Read32(nuint offset) => _switch->Live ? _raw.Read32(offset) : _model.Read32(offset);

    public void Write8(nuint offset, byte value)
    {
        if (_switch->Live) _raw.Write8(offset, value); else _model.Write8(offset, value);
    }

    public void Write16(nuint offset, ushort value)
    {
        if (_switch->Live) _raw.Write16(offset, value); else _model.Write16(offset, value);
    }

    public void Write32(nuint offset, uint value)
    {
        if (_switch->Live) _raw.Write32(offset, value); else _model.Write32(offset, value);
    }

    public WireAccess At(nuint offset) => new(_model.At(offset), _raw.Base + offset, _switch);

    public void Delay(uint microseconds) => _model.Delay(microseconds);
}

/// <summary>Where <see cref="WireAccess"/> handles send their accesses: the model (false) or plain memory (true).</summary>
public struct WireSwitch
{
    public bool Live;
}
