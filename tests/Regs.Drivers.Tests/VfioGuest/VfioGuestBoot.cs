using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Regs.Runtime.Qtest;
using Xunit;

namespace Regs.Drivers.Tests.VfioGuest;

/// <summary>
/// The one guest boot a test run shares (an xunit collection fixture): the VFIO checks
/// (<see cref="VfioGuestHarnessTests"/>) and the traffic phase (<see cref="GuestTrafficTests"/>)
/// read the same console. The host's HTTP server (<see cref="TrafficServer"/>) runs for the whole
/// boot; its port goes to the guest on the kernel command line, its hostfwd rules to slirp. When
/// the guest marks the start of Linux's own drivers (<see cref="GuestImage.LinuxDriversMark"/>),
/// the length QEMU's warning log has then is noted: <see cref="SplitWarnings"/> tells the
/// warnings about Regs (before) from those about Linux's igb (after). The
/// boot happens when a test first asks for <see cref="Result"/> (a failure to boot fails each
/// test that asks), and the server stops when the collection is done.
/// </summary>
public sealed class VfioGuestBoot : IDisposable
{
    /// <summary>The xunit collection of the tests that share the boot.</summary>
    public const string Collection = "VfioGuest boot";

    /// <summary>
    /// QEMU is stopped after this long. The checks and kill cycles take about 30 s of guest time,
    /// the traffic phase most of the rest (8 transfers of 32 MiB under TCG).
    /// </summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(12);

    private readonly Lazy<VfioGuestResult> _result;
    private readonly Lazy<(QemuLog Regs, IReadOnlyList<QemuWarning> Linux)> _split;
    private readonly List<string> _log = new();
    private QemuLog? _qemuLog;
    private long _linuxDriversOffset = -1;
    private string? _tracePath;

    /// <summary>Starts the host's server; the guest boots on first use of <see cref="Result"/>.</summary>
    public VfioGuestBoot()
    {
        Server = new TrafficServer();
        Server.Marked = mark =>
        {
            // QEMU flushes its log after each message: what the Regs runs provoked is in the file by now.
            // In counting mode the log is the trace file (GuestCounts): its length is mapped after QEMU exits.
            string? path = GuestCounts.Enabled ? _tracePath : _qemuLog?.Path;
            if (mark == GuestImage.LinuxDriversMark && path is not null)
                Interlocked.Exchange(ref _linuxDriversOffset, File.Exists(path) ? new FileInfo(path).Length : 0);
        };
        _result = new Lazy<VfioGuestResult>(Boot, LazyThreadSafetyMode.ExecutionAndPublication);
        _split = new Lazy<(QemuLog, IReadOnlyList<QemuWarning>)>(Split, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The host's end of the traffic phase.</summary>
    public TrafficServer Server { get; }

    /// <summary>The boot (made on first use).</summary>
    public VfioGuestResult Result => _result.Value;

    /// <summary>The harness's progress lines (image, programs, timings) of the boot.</summary>
    public IReadOnlyList<string> Log
    {
        get { lock (_log) return _log.ToArray(); }
    }

    private VfioGuestResult Boot()
    {
        var defaults = new LinuxGuestOptions();
        var options = defaults with
        {
            Timeout = GuestCounts.Enabled ? Timeout * 2 : Timeout,
            KernelArguments = $"{defaults.KernelArguments} {GuestImage.HttpPortParameter}={Server.Port}",
            HostForwards = Server.HostForwards,
            QemuLogStarting = log => _qemuLog = log,
        };
        if (GuestCounts.Enabled)
        {
            // Traces are large (every MMIO access of the boot): keep only the newest.
            foreach (var old in new DirectoryInfo(HostTools.CacheDirectory).GetFiles("trace-*.log")) old.Delete();
            _tracePath = Path.Combine(HostTools.CacheDirectory, $"trace-{DateTime.Now.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture)}-{Environment.ProcessId}.log");
            options = options with { TracePath = _tracePath, TraceMark = () => Interlocked.Read(ref _linuxDriversOffset) };
        }
        return VfioGuestHarness.Boot(options, log: line => { lock (_log) _log.Add(line); });
    }

    /// <summary>
    /// QEMU's warnings split at the guest's <see cref="GuestImage.LinuxDriversMark"/>: a log of
    /// those before it (the VFIO checks and the Regs traffic runs; plus every error QEMU printed on
    /// stderr, wherever it came), for <see cref="QemuWarnings.AssertNoUnexpected"/>, and the trace
    /// warnings after it, which Linux's own igb driver provoked (reported, not Regs' to answer for).
    /// Without the mark (the phase did not get there) all of the log counts as Regs'.
    /// </summary>
    public (QemuLog Regs, IReadOnlyList<QemuWarning> Linux) SplitWarnings() => _split.Value;

    private (QemuLog, IReadOnlyList<QemuWarning>) Split()
    {
        var run = Result.Run;
        long offset = run.TracePath is null ? Interlocked.Read(ref _linuxDriversOffset) : run.TraceMarkInLog;
        byte[] bytes = File.Exists(run.QemuLog.Path) ? File.ReadAllBytes(run.QemuLog.Path) : Array.Empty<byte>();
        if (offset < 0 || offset > bytes.Length) offset = bytes.Length;
        var after = QemuLog.Parse(Encoding.UTF8.GetString(bytes, (int)offset, bytes.Length - (int)offset));
        // Only the model's trace warnings count as the reference driver's; any other line stays with Regs.
        var linux = after.Where(w => w.Kind == QemuWarningKind.Trace).ToList();
        var text = new StringBuilder(Encoding.UTF8.GetString(bytes, 0, (int)offset));
        foreach (var w in after.Where(w => w.Kind != QemuWarningKind.Trace)) text.Append('\n').Append(w.Line);
        string path = Path.ChangeExtension(run.QemuLog.Path, null) + "-regs.log";
        File.WriteAllText(path, text.ToString());
        var regs = new QemuLog(path);
        foreach (var w in run.QemuLog.Warnings.Where(w => w.Kind == QemuWarningKind.Stderr)) regs.AddStderrLine(w.Line);
        regs.Seal();
        return (regs, linux);
    }

    /// <summary>Stops the server.</summary>
    public void Dispose() => Server.Dispose();
}

/// <summary>The tests that share <see cref="VfioGuestBoot"/>.</summary>
[CollectionDefinition(VfioGuestBoot.Collection)]
public sealed class VfioGuestBootCollection : ICollectionFixture<VfioGuestBoot>
{
}
