using System;
using System.Threading;
using static Regs.Runtime.Models.Igb.IgbRegisters;

namespace Regs.Runtime.Models.Igb;

// Fault injection: the test arms an IgbFault, the device paths below ask Trigger whether to
// misbehave now, and every time one does it is counted, so a test can report what it injected.
public sealed partial class IgbModel
{
    private static readonly int FaultKinds = Enum.GetValues<IgbFault>().Length;

    private readonly bool[] _armed = new bool[FaultKinds];
    private readonly bool[] _persistent = new bool[FaultKinds];
    private readonly long[] _hits = new long[FaultKinds];
    private long _softwareResets, _resetsBehindDriver;
    private bool _resetStuck;
    private int _framesSinceFlap;

    /// <summary>Frames placed between two link flaps under <see cref="IgbFault.LinkFlap"/>.</summary>
    public const int FlapEveryFrames = 16;

    /// <summary>
    /// Arms <paramref name="fault"/>: one-shot (it acts once, then disarms itself) or persistent
    /// (until <see cref="Disarm"/>). <see cref="IgbFault.EepromNeverDone"/> also empties RAL0/RAH0
    /// at once, as if the last auto-read had failed.
    /// </summary>
    public void Arm(IgbFault fault, bool persistent = false)
    {
        lock (Network.Lock)
        {
            _armed[(int)fault] = true;
            _persistent[(int)fault] = persistent;
            if (fault == IgbFault.EepromNeverDone) ForgetStationAddress();
            if (fault == IgbFault.LinkFlap) _framesSinceFlap = 0;
        }
    }

    /// <summary>Disarms <paramref name="fault"/>; a reset held by <see cref="IgbFault.ResetNeverCompletes"/> then completes.</summary>
    public void Disarm(IgbFault fault)
    {
        lock (Network.Lock)
        {
            _armed[(int)fault] = false;
            if (fault == IgbFault.ResetNeverCompletes && _resetStuck)
            {
                _resetStuck = false;
                SoftwareReset();
            }
        }
    }

    /// <summary>True while <paramref name="fault"/> is armed.</summary>
    public bool IsArmed(IgbFault fault) { lock (Network.Lock) return _armed[(int)fault]; }

    /// <summary>How many times <paramref name="fault"/> acted.</summary>
    public long FaultHits(IgbFault fault) => Interlocked.Read(ref _hits[(int)fault]);

    /// <summary>Software resets (CTRL.RST) the device performed.</summary>
    public long SoftwareResets => Interlocked.Read(ref _softwareResets);

    /// <summary>Resets done by <see cref="ResetBehindDriver"/>.</summary>
    public long ResetsBehindDriver => Interlocked.Read(ref _resetsBehindDriver);

    /// <summary>
    /// Resets the device now, as a function-level reset or a management controller would, without
    /// the driver asking: every register back to its default (RCTL.EN, TCTL.EN and IMS cleared,
    /// the rings forgotten) and the link down until the PHY renegotiates. No interrupt says so.
    /// </summary>
    public void ResetBehindDriver()
    {
        lock (Network.Lock)
        {
            Reset(software: true);
            _resetsBehindDriver++;
        }
    }

    // True (and counted) when the device should misbehave this time; a one-shot fault disarms.
    internal bool Trigger(IgbFault fault)
    {
        int i = (int)fault;
        if (!_armed[i]) return false;
        if (!_persistent[i]) _armed[i] = false;
        _hits[i]++;
        return true;
    }

    private bool Armed(IgbFault fault) => _armed[(int)fault];

    // CTRL.RST: the reset, unless the fault holds it (RST then reads 1 until disarmed).
    private void SoftwareReset()
    {
        if (Trigger(IgbFault.ResetNeverCompletes))
        {
            _resetStuck = true;
            return;
        }
        Reset(software: true);
        _softwareResets++;
        if (Armed(IgbFault.EepromNeverDone))
        {
            _hits[(int)IgbFault.EepromNeverDone]++;
            ForgetStationAddress();
        }
    }

    private void ForgetStationAddress()
    {
        Reg(RA) = 0;
        Reg(RA + 4) = 0;
    }

    // HeadBeyondRing, at a TDT write: both heads leave their rings (the queues stop there).
    private void CorruptHeads()
    {
        if (!Trigger(IgbFault.HeadBeyondRing)) return;
        _tx[0].Head = _tx[0].Count + 3;
        _rx[0].Head = _rx[0].Count + 5;
    }

    // RxDoneBeyondTail, after a frame was placed: DD and EOP with a plausible length in the
    // descriptor at RDT, which the driver holds back and never gave to the device.
    private void WriteDoneBeyondTail(IgbRxQueue q)
    {
        if (q.Count == 0 || q.Tail >= q.Count || !Trigger(IgbFault.RxDoneBeyondTail)) return;
        Span<byte> writeBack = stackalloc byte[8];
        writeBack[0] = (byte)(IgbRxQueue.StatusDD | IgbRxQueue.StatusEOP);
        writeBack[4] = 60; // length 60, VLAN 0
        DeviceWrite(q.Base + q.Tail * IgbRxQueue.DescriptorBytes + 8, writeBack);
    }

    // LinkFlap, after a frame was placed: every FlapEveryFrames frames the link drops (LSC) and
    // renegotiates, coming back after AutonegotiationTime (LSC).
    private void MaybeFlapLink()
    {
        if (!Armed(IgbFault.LinkFlap) || ++_framesSinceFlap < FlapEveryFrames) return;
        _framesSinceFlap = 0;
        Trigger(IgbFault.LinkFlap);
        StartAutoneg();
        Raise(ICR_LSC);
    }
}
