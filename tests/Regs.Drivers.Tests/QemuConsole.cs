using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Regs.Runtime.Qtest;

namespace Regs.Drivers.Tests;

/// <summary>A console line of a QEMU run and when it arrived.</summary>
public readonly record struct QemuConsoleLine(TimeSpan At, string Text);

/// <summary>What a QEMU run printed and how it ended.</summary>
public sealed record QemuConsoleRun(IReadOnlyList<QemuConsoleLine> Lines, int ExitCode, TimeSpan Elapsed, string CommandLine);

/// <summary>
/// Runs QEMU to its end under <see cref="QemuWatchdog"/> with its serial console on stdout, as the
/// boot harnesses (the VFIO guest, the bare-metal image) do: every line timestamped and written to
/// a log file as it arrives; bounded by a timeout after which QEMU is stopped and the failure
/// carries the log's tail.
/// </summary>
public static class QemuConsole
{
    /// <summary>
    /// Runs <paramref name="qemu"/> with <paramref name="arguments"/>; <paramref name="clean"/>
    /// tidies each console line; <paramref name="what"/> names the run in the timeout message;
    /// QEMU's error reports on stderr also go to <paramref name="qemuLog"/>.
    /// </summary>
    public static QemuConsoleRun Run(string qemu, IReadOnlyList<string> arguments, string logPath, TimeSpan timeout, Func<string, string> clean, string what, QemuLog? qemuLog = null)
    {
        string commandLine = qemu + " " + string.Join(' ', arguments.Select(x => x.Contains(' ') ? $"'{x}'" : x));
        var lines = new List<QemuConsoleLine>();
        var clock = Stopwatch.StartNew();
        using var writer = new StreamWriter(logPath, append: false, new UTF8Encoding(false)) { AutoFlush = true };
        writer.WriteLine($"# {commandLine}");
        void Capture(string? data, string prefix)
        {
            if (data is null) return;
            string text = prefix + clean(data);
            lock (lines)
            {
                lines.Add(new QemuConsoleLine(clock.Elapsed, text));
                writer.WriteLine(text);
            }
        }

        using var process = new Process { StartInfo = QemuWatchdog.StartInfo(qemu, arguments) };
        process.OutputDataReceived += (_, e) => Capture(e.Data, "");
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) qemuLog?.AddStderrLine(e.Data);
            Capture(e.Data, "qemu stderr: ");
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        bool exited = process.WaitForExit(timeout);
        if (!exited)
        {
            try
            {
                process.StandardInput.Close();   // the watchdog sends QEMU SIGTERM
                if (!process.WaitForExit(5000)) process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
            catch (InvalidOperationException) { }
        }
        else
        {
            // Let the output readers finish (bounded).
            var drain = new Thread(() => process.WaitForExit()) { IsBackground = true };
            drain.Start();
            drain.Join(TimeSpan.FromSeconds(5));
        }
        TimeSpan elapsed = clock.Elapsed;
        List<QemuConsoleLine> seen;
        lock (lines) seen = lines.ToList();
        if (!exited)
        {
            lock (lines) writer.WriteLine($"# killed after {timeout.TotalSeconds} s");
            throw new QemuException($"{what} did not power off within {timeout.TotalSeconds} s; QEMU was killed. Serial log {logPath}:\n" +
                VfioGuest.HostTools.Tail(string.Join('\n', seen.Select(l => l.Text))) + $"\nCommand: {commandLine}");
        }
        lock (lines) writer.WriteLine($"# QEMU exited with {process.ExitCode} after {elapsed.TotalSeconds:F1} s");
        return new QemuConsoleRun(seen, process.ExitCode, elapsed, commandLine);
    }
}
