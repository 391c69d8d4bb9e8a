using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Regs.Drivers.Tests.VfioGuest;
using Regs.Runtime.Qtest;
using Xunit.Sdk;

namespace Regs.Drivers.Tests;

/// <summary>What a check of QEMU's warnings found.</summary>
/// <param name="Log">The log file checked.</param>
/// <param name="All">Every warning logged.</param>
/// <param name="Unexpected">The warnings no expected pattern matches.</param>
/// <param name="Unseen">Expected patterns that matched nothing (noted, not a failure).</param>
public sealed record QemuWarningCheck(string Log, IReadOnlyList<QemuWarning> All, IReadOnlyList<QemuWarning> Unexpected, IReadOnlyList<string> Unseen)
{
    /// <summary>How many warnings each expected pattern matched.</summary>
    public int Matched(string pattern) => All.Count(w => Regex.IsMatch(w.Line, pattern, RegexOptions.CultureInvariant));

    /// <summary>Counts by kind and event, for reports ("guest_errors 29, e1000e_wrn_regs_read_trivial 92").</summary>
    public string Counts => All.Count == 0 ? "none" : string.Join(", ", All.GroupBy(w => w.Event).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));
}

/// <summary>
/// QEMU's own warnings as a test oracle (issue 14): every QEMU the tests start logs
/// <c>-d guest_errors,unimp</c> and the igb/e1000e warning trace events to a log file of its own
/// (<see cref="QemuLog"/>), and the fixtures that stop a machine call
/// <see cref="AssertNoUnexpectedQemuWarnings(QemuMachine, string[])"/>: a normal-traffic test fails
/// on any warning; a fault test names the warnings it provokes (regular expressions matched
/// against the whole logged line).
/// </summary>
public static class QemuWarnings
{
    /// <summary>Where per-test QEMU logs go: artifacts/qemu-logs under the repository (ignored by git).</summary>
    public static string LogDirectory
    {
        get
        {
            string dir = Path.Combine(HostTools.RepoRoot, "artifacts", "qemu-logs");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    /// <summary>How many log files <see cref="LogDirectory"/> keeps (the oldest go when a new one is made).</summary>
    public const int KeptLogs = 400;

    private static int _counter;

    /// <summary>A fresh log path for the machine of the test called <paramref name="name"/>.</summary>
    public static string NewLogPath(string name)
    {
        string dir = LogDirectory;
        foreach (var old in new DirectoryInfo(dir).GetFiles("*.log").OrderByDescending(f => f.LastWriteTimeUtc).Skip(KeptLogs - 1))
        {
            try { old.Delete(); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        string safe = Regex.Replace(name, @"[^A-Za-z0-9_.-]", "_");
        return Path.Combine(dir, $"{safe}-{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}.log");
    }

    /// <summary>Checks <paramref name="log"/> against <paramref name="expectedPatterns"/> without failing.</summary>
    public static QemuWarningCheck Check(QemuLog log, IEnumerable<string> expectedPatterns)
    {
        var patterns = expectedPatterns.Distinct().Select(p => new Regex(p, RegexOptions.CultureInvariant)).ToList();
        var all = log.Warnings;
        var unexpected = all.Where(w => !patterns.Any(p => p.IsMatch(w.Line))).ToList();
        var unseen = patterns.Where(p => !all.Any(w => p.IsMatch(w.Line))).Select(p => p.ToString()).ToList();
        return new QemuWarningCheck(log.Path, all, unexpected, unseen);
    }

    /// <summary>
    /// Fails (an xunit assertion) when <paramref name="machine"/>'s QEMU logged a warning that no
    /// pattern of <paramref name="expectedPatterns"/> matches; the message lists them and names
    /// the log file. Call after the machine is disposed to see everything it logged.
    /// </summary>
    public static QemuWarningCheck AssertNoUnexpectedQemuWarnings(QemuMachine machine, params string[] expectedPatterns)
        => AssertNoUnexpected(machine.Log, expectedPatterns, $"QEMU ({machine.Options.Name})");

    /// <summary>
    /// Fails when <paramref name="log"/> holds a warning no pattern of
    /// <paramref name="expectedPatterns"/> matches; <paramref name="what"/> names the run.
    /// </summary>
    public static QemuWarningCheck AssertNoUnexpected(QemuLog log, IEnumerable<string> expectedPatterns, string what = "QEMU")
    {
        var check = Check(log, expectedPatterns);
        if (check.Unexpected.Count != 0)
            throw new XunitException($"{what} logged {check.Unexpected.Count} unexpected warning(s) about the driver (log {check.Log}):\n"
                + QemuLog.Summarise(check.Unexpected)
                + (check.All.Count > check.Unexpected.Count ? $"({check.All.Count - check.Unexpected.Count} expected ones not shown)" : ""));
        return check;
    }
}
