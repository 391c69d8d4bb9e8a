using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using Regs.Drivers.Tests.VfioGuest;
using Regs.Runtime.Qtest;

namespace Regs.Drivers.Tests.BareMetal;

/// <summary>A serial line and when it arrived (from QEMU's start).</summary>
public sealed record SerialLine(TimeSpan At, string Text);

/// <summary>What one boot showed: the serial console (escape sequences removed), QEMU's exit code and timings.</summary>
public sealed record BareMetalRun(string SerialLog, IReadOnlyList<SerialLine> Lines, int QemuExitCode, TimeSpan Elapsed, string CommandLine)
{
    /// <summary>The console text, one line per entry.</summary>
    public string ConsoleText => string.Join('\n', Lines.Select(l => l.Text));

    /// <summary>The lines the image wrote ("regs-baremetal: ..."), without the prefix.</summary>
    public IEnumerable<string> ImageLines => Lines.Select(l => l.Text).Where(t => t.Contains(BareMetalBoot.Prefix, StringComparison.Ordinal))
        .Select(t => t[(t.IndexOf(BareMetalBoot.Prefix, StringComparison.Ordinal) + BareMetalBoot.Prefix.Length)..].Trim());

    /// <summary>When the image's first line arrived, or null.</summary>
    public TimeSpan? FirstImageLine => Lines.FirstOrDefault(l => l.Text.Contains(BareMetalBoot.Prefix, StringComparison.Ordinal))?.At;
}

/// <summary>
/// Boots a UEFI image under QEMU (q35, TCG, OVMF) with the NICs the bare-metal application drives
/// (igb 52:54:00:12:34:56, virtio-net-pci modern 52:54:00:12:34:57, both on slirp), serial on
/// stdio, and returns the console once the image powers off. QEMU runs under
/// <see cref="QemuWatchdog"/> and is killed after the timeout; the serial log is kept in
/// artifacts/baremetal.
/// </summary>
public static class BareMetalBoot
{
    /// <summary>What every line the image prints starts with.</summary>
    public const string Prefix = "regs-baremetal:";

    /// <summary>How many serial logs artifacts/baremetal keeps.</summary>
    public const int KeptLogs = 10;

    /// <summary>artifacts/baremetal under the repository (ignored by git).</summary>
    public static string ArtifactsDirectory
    {
        get
        {
            string dir = Path.Combine(HostTools.RepoRoot, "artifacts", "baremetal");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    /// <summary>The QEMU arguments for an ESP folder.</summary>
    public static List<string> Arguments(string espDirectory) => new()
    {
        "-M", "q35", "-accel", "tcg", "-m", "256M",
        "-bios", BareMetalImage.Ovmf,
        "-drive", $"format=raw,file=fat:rw:{espDirectory},if=none,id=esp",
        "-device", "ide-hd,drive=esp,bootindex=0",
        "-nographic", "-no-reboot",
        "-device", "igb,netdev=n0,mac=52:54:00:12:34:56", "-netdev", "user,id=n0",
        "-device", "virtio-net-pci,netdev=n1,mac=52:54:00:12:34:57,disable-legacy=on", "-netdev", "user,id=n1",
    };

    /// <summary>Copies <paramref name="efiImage"/> into a fresh ESP folder, boots it and returns what the console showed.</summary>
    public static BareMetalRun Run(string efiImage, TimeSpan timeout, Action<string>? log = null)
    {
        log ??= _ => { };
        var (qemu, _) = QemuBinary.Locate();
        string stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture) + "-" + Environment.ProcessId;
        string esp = Path.Combine(ArtifactsDirectory, "esp-" + stamp);
        Directory.CreateDirectory(Path.Combine(esp, "EFI", "BOOT"));
        File.Copy(efiImage, Path.Combine(esp, "EFI", "BOOT", "BOOTX64.EFI"), overwrite: true);
        string serialLog = NewLogPath(stamp);
        log($"serial log: {serialLog}");
        try
        {
            return Boot(qemu, esp, serialLog, timeout);
        }
        finally
        {
            try { Directory.Delete(esp, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static BareMetalRun Boot(string qemu, string esp, string serialLog, TimeSpan timeout)
    {
        var arguments = Arguments(esp);
        string commandLine = qemu + " " + string.Join(' ', arguments);
        var lines = new List<SerialLine>();
        var clock = Stopwatch.StartNew();
        using var writer = new StreamWriter(serialLog, append: false, new UTF8Encoding(false)) { AutoFlush = true };
        writer.WriteLine($"# {commandLine}");
        void Capture(string? data, string prefix)
        {
            if (data is null) return;
            string text = prefix + Clean(data);
            lock (lines)
            {
                lines.Add(new SerialLine(clock.Elapsed, text));
                writer.WriteLine(text);
            }
        }

        using var process = new Process { StartInfo = QemuWatchdog.StartInfo(qemu, arguments) };
        process.OutputDataReceived += (_, e) => Capture(e.Data, "");
        process.ErrorDataReceived += (_, e) => Capture(e.Data, "qemu stderr: ");
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
            var drain = new Thread(() => process.WaitForExit()) { IsBackground = true };
            drain.Start();
            drain.Join(TimeSpan.FromSeconds(5));
        }
        var elapsed = clock.Elapsed;
        List<SerialLine> seen;
        lock (lines) seen = lines.ToList();
        if (!exited)
        {
            lock (lines) writer.WriteLine($"# killed after {timeout.TotalSeconds} s");
            throw new QemuException($"the bare-metal image did not power off within {timeout.TotalSeconds} s; QEMU was killed. Serial log {serialLog}:\n" +
                HostTools.Tail(string.Join('\n', seen.Select(l => l.Text))) + $"\nCommand: {commandLine}");
        }
        lock (lines) writer.WriteLine($"# QEMU exited with {process.ExitCode} after {elapsed.TotalSeconds:F1} s");
        return new BareMetalRun(serialLog, seen, process.ExitCode, elapsed, commandLine);
    }

    // OVMF drives the serial console as a terminal: drop its escape sequences and carriage returns.
    private static readonly Regex Escapes = new(@"\x1B(\[[0-9;=?]*[A-Za-z]|[()][0-9A-Za-z]|[=>c78])", RegexOptions.Compiled);

    private static string Clean(string text) => Escapes.Replace(text, "").Replace("\r", "");

    private static string NewLogPath(string stamp)
    {
        foreach (var old in new DirectoryInfo(ArtifactsDirectory).GetFiles("serial-*.log").OrderByDescending(f => f.Name, StringComparer.Ordinal).Skip(KeptLogs - 1))
        {
            try { old.Delete(); } catch (IOException) { }
        }
        return Path.Combine(ArtifactsDirectory, $"serial-{stamp}.log");
    }
}
