namespace Regs.Runtime.Models.Igb;

/// <summary>
/// Misbehaviours the igb model can be told to show (<see cref="IgbModel.Arm"/>), each one a way
/// real hardware or a buggy emulator has been seen to fail a driver. Armed one-shot, a fault acts
/// once and disarms itself; armed persistent, it acts until <see cref="IgbModel.Disarm"/>.
/// </summary>
public enum IgbFault
{
    /// <summary>Transmit: frames are sent but DD is never written back into their descriptors.</summary>
    TxNoWriteBack,
    /// <summary>Receive: the frame and its write-back are stored but DD is never set.</summary>
    RxNoDescriptorDone,
    /// <summary>Receive: the write-back claims a length larger than the posted buffer (the data stays inside it).</summary>
    RxLengthBeyondBuffer,
    /// <summary>Receive: after the next frame, DD and EOP are written into the descriptor at RDT, which the driver never posted.</summary>
    RxDoneBeyondTail,
    /// <summary>
    /// Receive: the frame's last descriptor is written back full and without EOP, and so is every
    /// further descriptor the device owns: a chain that never ends (its data is whatever the
    /// buffers held).
    /// </summary>
    RxChainWithoutEnd,
    /// <summary>At the next TDT write TDH and RDH jump beyond TDLEN/RDLEN: both queues stall and the heads read out of range.</summary>
    HeadBeyondRing,
    /// <summary>MDIC never reports READY: PHY accesses never complete.</summary>
    MdicNeverReady,
    /// <summary>MDIC completes every access with E (error) set.</summary>
    MdicError,
    /// <summary>CTRL.RST never clears and the reset never happens, until the fault is disarmed.</summary>
    ResetNeverCompletes,
    /// <summary>The EEPROM never answers: EERD never reports DONE and resets leave RAL0/RAH0 unloaded (no auto-read).</summary>
    EepromNeverDone,
    /// <summary>After every 16 frames placed in the receive ring STATUS.LU drops (LSC) and comes back after autonegotiation (LSC).</summary>
    LinkFlap,
}
