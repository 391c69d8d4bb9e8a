using Regs.Runtime.Pci;

namespace Regs.Runtime.BareMetal.Pci;

/// <summary>
/// Walks an <see cref="EcamPciBus"/>'s functions for foreach (a struct enumerator: nothing is
/// allocated or boxed). The position only grows, so the walk ends after at most 256 x 32 x 8 probes.
/// </summary>
public unsafe struct EcamEnumerator
{
    private readonly EcamPciBus _bus;
    private readonly uint _total;   // positions: buses x 32 devices x 8 functions
    private uint _position;         // next position to probe, relative to the start bus
    private EcamFunction _current;

    /// <summary>An enumerator before the first function of <paramref name="bus"/>.</summary>
    public EcamEnumerator(EcamPciBus bus)
    {
        _bus = bus;
        var region = bus.Region;
        _total = region.IsEmpty ? 0 : ((uint)region.EndBus - region.StartBus + 1) * EcamPciBus.DevicesPerBus * EcamPciBus.FunctionsPerDevice;
        _position = 0;
        _current = default;
    }

    /// <summary>The function found by the last successful <see cref="MoveNext"/>.</summary>
    public readonly EcamFunction Current => _current;

    /// <summary>Moves to the next present function; false when the region is exhausted.</summary>
    public bool MoveNext()
    {
        while (_position < _total)
        {
            uint at = _position;
            uint function = at % EcamPciBus.FunctionsPerDevice;
            uint device = at / EcamPciBus.FunctionsPerDevice % EcamPciBus.DevicesPerBus;
            uint bus = _bus.Region.StartBus + at / (EcamPciBus.FunctionsPerDevice * EcamPciBus.DevicesPerBus);
            if (!_bus.TryGetFunction(bus, device, function, out EcamFunction found))
            {
                // An absent function 0 means no device (PCI 3.0 section 6.2.1): skip its other functions.
                _position = function == 0 ? at + EcamPciBus.FunctionsPerDevice : at + 1;
                continue;
            }
            if (function == 0)
            {
                // Functions 1-7 exist only on multi-function devices (HeaderType bit 7).
                bool multi = new PciConfig<MmioPointer<TscClock>>(found.ConfigSpace).HeaderType.Read().MultiFunction;
                _position = multi ? at + 1 : at + EcamPciBus.FunctionsPerDevice;
            }
            else
            {
                _position = at + 1;
            }
            _current = found;
            return true;
        }
        return false;
    }
}
