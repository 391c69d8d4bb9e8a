using Regs.Drivers.Igb;
using Regs.Nic;
using Regs.Runtime.Models;

namespace Regs.Drivers.Tests;

/// <summary>Opens drivers on model hosts where the driver type needs no transport.</summary>
public static class ModelNics
{
    /// <summary>The igb driver on an igb model.</summary>
    public static NicStatus OpenIgb(ModelHost host, bool interrupts, out INic nic)
    {
        NicStatus status = IgbNic<ModelAccess, ModelHost>.Initialise(host, new IgbOptions { InterruptMode = interrupts }, out var igb);
        nic = igb;
        return status;
    }
}
