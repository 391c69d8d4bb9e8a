using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.ExceptionServices;
using Regs.Drivers.Virtio;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime.Qtest;
using Regs.Testing.NicKinds;
using Xunit.Sdk;

namespace Regs.Drivers.Tests;

/// <summary>
/// NICs on QEMU's real device models, driven over qtest. Disposing the bench stops QEMU and then
/// fails the test on any warning QEMU logged about the drivers that the test did not declare with
/// <see cref="ExpectQemuWarnings"/> (<see cref="QemuWarnings"/>). A test disposes its bench in a
/// <c>using</c>, so that failure would replace one the test body threw: the failure therefore
/// carries the last exception thrown on the test's thread while the bench lived (as its inner
/// exception and in its message).
/// </summary>
public sealed class QtestBench : INicBench
{
    private readonly QemuMachine _machine;
    private readonly NicKind _kind;
    private readonly string _name;
    private readonly List<string> _expectedWarnings = new();
    private readonly int _thread = Environment.CurrentManagedThreadId;
    private Exception? _lastThrown;
    private bool _disposed;

    /// <summary>Starts QEMU with the NICs wired as asked.</summary>
    public QtestBench(NicKind kind, Wiring wiring, string name)
    {
        _kind = kind;
        _name = name;
        _machine = QtestNics.Start(kind, wiring == Wiring.Gateway ? 1 : 2, wiring == Wiring.Gateway ? QemuNetdevKind.User : QemuNetdevKind.Hub, name);
        AppDomain.CurrentDomain.FirstChanceException += OnFirstChance;
    }

    private void OnFirstChance(object? sender, FirstChanceExceptionEventArgs e)
    {
        if (Environment.CurrentManagedThreadId == _thread) _lastThrown = e.Exception;
    }

    /// <summary>The machine, for monitor commands.</summary>
    public QemuMachine Machine => _machine;

    /// <inheritdoc/>
    public INic Open(int index, VirtioNetOptions options) => QtestNics.Open(_machine, _kind, index, options);

    /// <inheritdoc/>
    public ulong ExpectedMac(int index) => QtestNics.MacBits(index);

    /// <inheritdoc/>
    public void SetLink(int index, bool up) => _machine.SetLink(index, up);

    /// <inheritdoc/>
    public IReadOnlyList<byte[]> Transmitted(int index)
    {
        // filter-dump records both directions; the NIC's own frames carry its MAC as source.
        ulong mac = ExpectedMac(index);
        return _machine.CapturedFrames(index)
            .Select(f => f.Data)
            .Where(d => d.Length >= 12 && MacAddress.From(d.AsSpan(6)).Bits == mac)
            .ToList();
    }

    /// <summary>
    /// Declares warnings this test provokes on purpose (regular expressions matched against the
    /// whole logged line); any other warning fails the test when the bench is disposed.
    /// </summary>
    public void ExpectQemuWarnings(params string[] patterns) => _expectedWarnings.AddRange(patterns);

    /// <summary>What QEMU logged, checked against the expected warnings (after <see cref="Dispose"/>: everything it logged).</summary>
    public QemuWarningCheck QemuWarningCheck() => QemuWarnings.Check(_machine.Log, _expectedWarnings);

    /// <summary>Stops QEMU, deletes the captures and fails on an unexpected QEMU warning.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        AppDomain.CurrentDomain.FirstChanceException -= OnFirstChance;
        _machine.Dispose();
        for (int i = 0; i < 2; i++) System.IO.File.Delete(QtestNics.CapturePath(_name, i));
        try
        {
            QemuWarnings.AssertNoUnexpectedQemuWarnings(_machine, _expectedWarnings.ToArray());
        }
        catch (XunitException warnings) when (_lastThrown is { } thrown)
        {
            throw new XunitException(warnings.Message + "\nThe last exception thrown on the test's thread before the bench was disposed " +
                $"(the test's own failure if it failed; it may also have been caught): {thrown.GetType().FullName}: {thrown.Message}", thrown);
        }
    }
}
