using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace Regs.Runtime.Qtest;

/// <summary>What kind of complaint a line of QEMU's log is.</summary>
public enum QemuWarningKind
{
    /// <summary>A <c>-d guest_errors</c> line: the device model saw the guest do something invalid.</summary>
    GuestError,
    /// <summary>A <c>-d unimp</c> line: the guest used something the model does not implement.</summary>
    Unimplemented,
    /// <summary>A warning trace event (<c>e1000e_wrn_*</c>, <c>igb_wrn_*</c>, <c>igbvf_wrn_*</c>).</summary>
    Trace,
    /// <summary>
    /// An error or warning QEMU printed on stderr (<c>error_report</c>, <c>warn_report</c>; e.g.
    /// <c>virtio_error</c> when the guest breaks a virtqueue), which <c>-D</c> does not capture.
    /// </summary>
    Stderr,
}

/// <summary>One line QEMU logged about what the guest (the driver under test) did.</summary>
/// <param name="Kind">Which switch produced it.</param>
/// <param name="Event">The trace event's name for <see cref="QemuWarningKind.Trace"/>, else the kind in QEMU's words (<c>guest_errors</c>, <c>unimp</c>).</param>
/// <param name="Line">The whole line as logged (what expected-warning patterns are matched against).</param>
public readonly record struct QemuWarning(QemuWarningKind Kind, string Event, string Line)
{
    /// <inheritdoc/>
    public override string ToString() => Line;
}

/// <summary>
/// QEMU's own opinion of the guest, as an oracle: every QEMU the project starts runs with
/// <see cref="Arguments"/>, so the device models' complaints about the driver (<c>-d
/// guest_errors,unimp</c>: invalid or unimplemented accesses; the igb/e1000e warning trace
/// events: unknown, read-only or not fully implemented registers) land in one log file per
/// machine, which <see cref="Warnings"/> parses. With only those items enabled, every line of the
/// file is a warning. QEMU's own error reports on stderr count too (<see cref="AddStderrLine"/>:
/// the process that reads QEMU's stderr passes each line on).
/// </summary>
public sealed class QemuLog
{
    /// <summary>
    /// Environment variable naming the log file of a machine whose options give none (so a test
    /// can keep and check the log of QEMU started by a program it runs, such as the demo).
    /// </summary>
    public const string PathVariable = "REGS_QEMU_LOG";

    /// <summary>The <c>-d</c> items: invalid guest accesses and uses of unimplemented features.</summary>
    public const string LogItems = "guest_errors,unimp";

    /// <summary>
    /// The warning trace events (QEMU 10's names, <c>qemu-system-x86_64 -trace help | grep wrn</c>):
    /// igb reuses e1000e's register warnings (<c>e1000e_wrn_regs_*</c>) and adds its own.
    /// </summary>
    public static IReadOnlyList<string> TraceEvents { get; } = new[] { "e1000e_wrn_*", "igb_wrn_*", "igbvf_wrn_*" };

    // The log trace backend writes "name args", or "pid@seconds.micros:name args" with -msg timestamp=on.
    private static readonly Regex TraceLine = new(@"^(?:\d+@\d+\.\d+:)?(?<event>[a-z0-9]+_wrn_[a-z0-9_]+)\b", RegexOptions.Compiled | RegexOptions.CultureInvariant);
    private static readonly Regex UnimplementedText = new(@"unimplemented|not implemented", RegexOptions.Compiled | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    // error_report/warn_report prefix every message with the program name ("qemu-system-x86_64: ").
    private static readonly Regex StderrReport = new(@"^qemu-system-[a-z0-9_]+: ", RegexOptions.Compiled | RegexOptions.CultureInvariant);
    // Not about the guest: the notice when the harness stops QEMU (the watchdog's SIGTERM), and
    // net_check_clients' start-up notes on a hub wired to no host network (two NICs back to back).
    private static readonly Regex StderrNotAWarning = new(@"^qemu-system-[a-z0-9_]+: (terminating on signal \d+|warning: hub \d+ (is not connected to host network|has no host network connected|with no nics))",
        RegexOptions.Compiled | RegexOptions.CultureInvariant);

    private readonly List<QemuWarning> _stderr = new();
    private IReadOnlyList<QemuWarning>? _final;

    /// <summary>A log QEMU will write to <paramref name="path"/> (the file need not exist yet).</summary>
    public QemuLog(string path) => Path = System.IO.Path.GetFullPath(path);

    /// <summary>The log file.</summary>
    public string Path { get; }

    /// <summary>The QEMU arguments that make it log its warnings to <paramref name="path"/>.</summary>
    public static IReadOnlyList<string> Arguments(string path)
    {
        var a = new List<string> { "-d", LogItems, "-D", path };
        foreach (string pattern in TraceEvents) { a.Add("-trace"); a.Add(pattern); }
        return a;
    }

    /// <summary>
    /// The warnings logged so far, read from the file now (QEMU flushes the log after each
    /// message, so after a qtest reply everything the commands before it provoked is there).
    /// After <see cref="Seal"/> (the machine stopped), the final list, even if the file is gone.
    /// </summary>
    public IReadOnlyList<QemuWarning> Warnings => _final ?? Current();

    /// <summary>Reads the file a last time and keeps the result (QEMU has exited: nothing more will come).</summary>
    public void Seal() => _final ??= Current();

    /// <summary>
    /// Takes one line of QEMU's stderr: an error or warning report (<c>qemu-system-x86_64: ...</c>,
    /// other than the notice that the harness terminated it and the start-up notes on network hubs)
    /// becomes a <see cref="QemuWarningKind.Stderr"/> warning.
    /// </summary>
    public void AddStderrLine(string line)
    {
        if (!StderrReport.IsMatch(line) || StderrNotAWarning.IsMatch(line)) return;
        lock (_stderr) _stderr.Add(new QemuWarning(QemuWarningKind.Stderr, "stderr", line.TrimEnd('\r')));
    }

    private IReadOnlyList<QemuWarning> Current()
    {
        var warnings = new List<QemuWarning>(Parse(ReadText()));
        lock (_stderr) warnings.AddRange(_stderr);
        return warnings;
    }

    /// <summary>The warnings in <paramref name="text"/>, one per non-empty line.</summary>
    public static IReadOnlyList<QemuWarning> Parse(string text)
    {
        var warnings = new List<QemuWarning>();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            var trace = TraceLine.Match(line);
            if (trace.Success) warnings.Add(new QemuWarning(QemuWarningKind.Trace, trace.Groups["event"].Value, line));
            else if (UnimplementedText.IsMatch(line)) warnings.Add(new QemuWarning(QemuWarningKind.Unimplemented, "unimp", line));
            else warnings.Add(new QemuWarning(QemuWarningKind.GuestError, "guest_errors", line));
        }
        return warnings;
    }

    /// <summary>Distinct lines with their counts, most frequent first, at most <paramref name="max"/> of them (for messages).</summary>
    public static string Summarise(IEnumerable<QemuWarning> warnings, int max = 20)
    {
        var groups = warnings.GroupBy(w => w.Line).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        var text = new StringBuilder();
        foreach (var g in groups.Take(max)) text.Append("  ").Append(g.Count()).Append(" x ").AppendLine(g.Key);
        if (groups.Count > max) text.Append("  ... and ").Append(groups.Count - max).AppendLine(" more distinct lines");
        return text.ToString();
    }

    private string ReadText()
    {
        try
        {
            // QEMU may still be writing: share the file.
            using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException) { return ""; }
        catch (DirectoryNotFoundException) { return ""; }
    }
}
