using System.IO;
using System.Linq;
using Regs.Runtime.Qtest;
using Regs.Testing.NicKinds;
using Xunit;
using Xunit.Sdk;

namespace Regs.Drivers.Tests;

/// <summary>
/// The oracle itself (<see cref="QemuWarnings"/>): QEMU is made to log real warnings on purpose
/// (igb register accesses QEMU's model refuses, a virtio-mmio write to a read-only register), and the
/// checks must report them, name the log and fail; declared warnings pass. None of these tests
/// opens a driver: every warning in the log is one the test provoked.
/// </summary>
[Trait("Category", "Qtest")]
public sealed class QemuWarningsTests
{
    // QEMU 10's igb answers offsets it does not know with e1000e_wrn_regs_* trace events
    // (hw/net/igb_core.c: igb_core_write/igb_core_read); 0xFFF0 is past every register.
    private const nuint UnknownIgbRegister = 0xFFF0;
    private const string UnknownWrite = @"^e1000e_wrn_regs_write_unknown .*0xfff0, 4 byte\(s\), value: 0x5a5a$";
    private const string UnknownRead = @"^e1000e_wrn_regs_read_unknown .*0xfff0, 4 byte\(s\)$";

    [Fact]
    public void An_invalid_igb_register_access_is_reported_while_qemu_runs_and_fails_the_check_naming_the_log()
    {
        var machine = QtestNics.Start(NicKind.Igb, 1, QemuNetdevKind.User, "oracle-igb");
        string path = machine.Log.Path;
        try
        {
            Assert.StartsWith(QemuWarnings.LogDirectory, path);
            Assert.Empty(machine.Log.Warnings);
            var bar0 = machine.NicHost(0).Registers;
            bar0.Write32(UnknownIgbRegister, 0x5a5a);
            _ = bar0.Read32(UnknownIgbRegister);

            // On demand, QEMU still running: the qtest replies came after the log lines were flushed.
            var running = machine.Log.Warnings;
            Assert.Equal(2, running.Count);
            Assert.All(running, w => Assert.Equal(QemuWarningKind.Trace, w.Kind));
            Assert.Equal(new[] { "e1000e_wrn_regs_write_unknown", "e1000e_wrn_regs_read_unknown" }, running.Select(w => w.Event));
        }
        finally
        {
            machine.Dispose();
        }

        // After the machine stopped: the complete log, kept (not empty), and the check fails on it.
        Assert.True(File.Exists(path), $"the log {path} was not kept");
        var failure = Assert.Throws<XunitException>(() => QemuWarnings.AssertNoUnexpectedQemuWarnings(machine));
        Assert.Contains(path, failure.Message);
        Assert.Contains("2 unexpected warning(s)", failure.Message);
        Assert.Contains("e1000e_wrn_regs_write_unknown WARNING: Write to unknown register 0xfff0", failure.Message);

        // Declaring one still fails on the other; declaring both passes, with nothing unseen.
        failure = Assert.Throws<XunitException>(() => QemuWarnings.AssertNoUnexpectedQemuWarnings(machine, UnknownWrite));
        Assert.Contains("1 unexpected warning(s)", failure.Message);
        Assert.Contains("e1000e_wrn_regs_read_unknown", failure.Message);
        var check = QemuWarnings.AssertNoUnexpectedQemuWarnings(machine, UnknownWrite, UnknownRead);
        Assert.Empty(check.Unseen);
        Assert.Equal(1, check.Matched(UnknownWrite));

        // An expected warning that never came is noted, not a failure.
        check = QemuWarnings.AssertNoUnexpectedQemuWarnings(machine, UnknownWrite, UnknownRead, "^never logged$");
        Assert.Equal(new[] { "^never logged$" }, check.Unseen);
        File.Delete(path);
    }

    [Fact]
    public void A_virtio_mmio_write_to_a_read_only_register_is_a_guest_error_the_check_reports()
    {
        var machine = QtestNics.Start(NicKind.VirtioMmio, 1, QemuNetdevKind.User, "oracle-mmio");
        string path = machine.Log.Path;
        try
        {
            var slot = Assert.Single(machine.VirtioMmioSlots());
            // 0x0FC is ConfigGeneration, read-only (virtio 1.2 4.2.2): QEMU's virtio-mmio logs the
            // write as LOG_GUEST_ERROR.
            slot.Registers.Write32(0x0FC, 1);
            var warning = Assert.Single(machine.Log.Warnings);
            Assert.Equal(QemuWarningKind.GuestError, warning.Kind);
            Assert.Contains("write to read-only reg", warning.Line);
        }
        finally
        {
            machine.Dispose();
        }
        var failure = Assert.Throws<XunitException>(() => QemuWarnings.AssertNoUnexpectedQemuWarnings(machine));
        Assert.Contains(path, failure.Message);
        Assert.Contains("write to read-only reg", failure.Message);
        File.Delete(path);
    }

    /// <summary>The wiring every Qtest test relies on: disposing a bench fails on an undeclared warning.</summary>
    [Fact]
    public void Disposing_a_bench_fails_on_an_undeclared_warning_and_passes_on_a_declared_one()
    {
        var bench = new QtestBench(NicKind.Igb, Wiring.Gateway, "oracle-bench");
        bench.Machine.NicHost(0).Registers.Write32(UnknownIgbRegister, 0x5a5a);
        var failure = Assert.Throws<XunitException>(bench.Dispose);
        Assert.Contains(bench.Machine.Log.Path, failure.Message);
        Assert.Contains("e1000e_wrn_regs_write_unknown", failure.Message);
        File.Delete(bench.Machine.Log.Path);

        using var declared = new QtestBench(NicKind.Igb, Wiring.Gateway, "oracle-bench-declared");
        declared.ExpectQemuWarnings(UnknownWrite);
        declared.Machine.NicHost(0).Registers.Write32(UnknownIgbRegister, 0x5a5a);
        Assert.Equal(1, declared.QemuWarningCheck().Matched(UnknownWrite));
    }

    /// <summary>A bench disposed by a <c>using</c> while the test body throws: the warning failure carries the test's own.</summary>
    [Fact]
    public void The_warning_failure_of_a_bench_carries_the_exception_the_test_body_threw()
    {
        var bench = new QtestBench(NicKind.Igb, Wiring.Gateway, "oracle-bench-thrown");
        bench.Machine.NicHost(0).Registers.Write32(UnknownIgbRegister, 0x5a5a);
        System.Action test = () =>
        {
            using (bench) throw new System.InvalidOperationException("the test's own failure");
        };
        var failure = Assert.Throws<XunitException>(test);
        Assert.Contains("e1000e_wrn_regs_write_unknown", failure.Message);
        Assert.Contains("System.InvalidOperationException: the test's own failure", failure.Message);
        Assert.IsType<System.InvalidOperationException>(failure.InnerException);
        File.Delete(bench.Machine.Log.Path);
    }

    [Fact]
    public void Log_lines_are_classified_by_trace_event_or_wording()
    {
        var warnings = QemuLog.Parse(
            "e1000e_wrn_regs_read_trivial WARNING: Reading register at offset: 0x00010. It is not fully implemented.\n" +
            "1234@1700000000.123456:igb_wrn_rx_desc_modes_not_supp Not supported descriptor type: 3\r\n" +
            "\n" +
            "virtio_mmio_write: attempt to write guest features with guest_features_sel > 0 in legacy mode\n" +
            "pci_host: unimplemented config access\n");
        Assert.Equal(new[] { QemuWarningKind.Trace, QemuWarningKind.Trace, QemuWarningKind.GuestError, QemuWarningKind.Unimplemented }, warnings.Select(w => w.Kind));
        Assert.Equal(new[] { "e1000e_wrn_regs_read_trivial", "igb_wrn_rx_desc_modes_not_supp", "guest_errors", "unimp" }, warnings.Select(w => w.Event));
        Assert.Equal("virtio_mmio_write: attempt to write guest features with guest_features_sel > 0 in legacy mode", warnings[2].Line);
    }

    [Fact]
    public void Qemu_error_reports_on_stderr_count_but_its_termination_and_hub_notices_and_other_output_do_not()
    {
        var log = new QemuLog(Path.Combine(Path.GetTempPath(), $"regs-no-such-log-{System.Environment.ProcessId}.log"));
        log.AddStderrLine("qemu-system-x86_64: virtio: zero sized buffers are not allowed");
        log.AddStderrLine("qemu-system-x86_64: terminating on signal 15 from pid 123 (/bin/sh)");
        log.AddStderrLine("qemu-system-x86_64: warning: hub 0 is not connected to host network");
        log.AddStderrLine("SeaBIOS (version 1.16)");
        var warning = Assert.Single(log.Warnings);
        Assert.Equal(QemuWarningKind.Stderr, warning.Kind);
        var failure = Assert.Throws<XunitException>(() => QemuWarnings.AssertNoUnexpected(log, System.Array.Empty<string>()));
        Assert.Contains("zero sized buffers", failure.Message);
    }
}
