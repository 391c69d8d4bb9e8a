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

/// <summary>What one boot showed: the serial console (escape sequences removed), QEMU's exit code and timings, and QEMU's warnings about the drivers.</summary>
public sealed record BareMetalRun(string SerialLog, IReadOnlyList<QemuConsoleLine> Lines, int QemuExitCode, TimeSpan Elapsed, string CommandLine, QemuLog QemuLog)
{
    /// <summary>The console text, one line per entry.</summary>
    public string ConsoleText => string.Join('\n', Lines.Select(l => l.Text));

    /// <summary>The lines the image wrote ("regs-baremetal: ..."), without the prefix.</summary>
    public IEnumerable<string> ImageLines => Lines.Select(l => l.Text).Where(t => t.Contains(BareMetalBoot.Prefix, StringComparison.Ordinal))
        .Select(t => t[(t.IndexOf(BareMetalBoot.Prefix, StringComparison.Ordinal) + BareMetalBoot.Prefix.Length)..].Trim());

    /// <summary>When the image's first line arrived, or null.</summary>
    public TimeSpan? FirstImageLine => Lines.Where(l => l.Text.Contains(BareMetalBoot.Prefix, StringComparison.Ordinal)).Select(l => (TimeSpan?)l.At).FirstOrDefault();
}

/// <summary>
/// Boots a UEFI image under QEMU (q35, TCG, OVMF) with the NICs the bare-metal application drives
/// (igb 52:54:00:12:34:56, virtio-net-pci modern 52:54:00:12:34:57, both on slirp), serial on
/// stdio, and returns the console once the image powers off. QEMU runs under
/// <see cref="QemuWatchdog"/> and is killed after the timeout; the serial log and QEMU's warning
/// log (<see cref="QemuLog"/>) are kept in artifacts/baremetal.
/// </summary>
public static class BareMetalBoot
{
    /// <summary>What every line the image prints starts with.</summary>
    public const string Prefix = "regs-baremetal:";

    /// <summary>
    /// Warnings the boot itself provokes, not the image's drivers: OVMF's AHCI driver reading the
    /// ESP from the ide-hd disk on q35's AHCI controller makes QEMU log its legacy IRQ changes
    /// ("ahci: IRQ#5 level:1", about 26 lines per boot).
    /// </summary>
    public static readonly IReadOnlyList<string> FirmwareWarnings = new[] { @"^ahci: IRQ#\d+ level:[01]$" };

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
        var qemuLog = new QemuLog(Path.Combine(ArtifactsDirectory, $"qemu-{stamp}.log"));
        log($"serial log: {serialLog}; QEMU warnings: {qemuLog.Path}");
        try
        {
            return Boot(qemu, esp, serialLog, qemuLog, timeout);
        }
        finally
        {
            try { Directory.Delete(esp, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static BareMetalRun Boot(string qemu, string esp, string serialLog, QemuLog qemuLog, TimeSpan timeout)
    {
        var arguments = Arguments(esp);
        arguments.AddRange(QemuLog.Arguments(qemuLog.Path));
        QemuConsoleRun run = QemuConsole.Run(qemu, arguments, serialLog, timeout, Clean, "the bare-metal image", qemuLog);
        qemuLog.Seal();
        return new BareMetalRun(serialLog, run.Lines, run.ExitCode, run.Elapsed, run.CommandLine, qemuLog);
    }

    // OVMF drives the serial console as a terminal: drop its escape sequences and carriage returns.
    private static readonly Regex Escapes = new(@"\x1B(\[[0-9;=?]*[A-Za-z]|[()][0-9A-Za-z]|[=>c78])", RegexOptions.Compiled);

    private static string Clean(string text) => Escapes.Replace(text, "").Replace("\r", "");

    private static string NewLogPath(string stamp)
    {
        foreach (string pattern in new[] { "serial-*.log", "qemu-*.log" })
            foreach (var old in new DirectoryInfo(ArtifactsDirectory).GetFiles(pattern).OrderByDescending(f => f.Name, StringComparer.Ordinal).Skip(KeptLogs - 1))
            {
                try { old.Delete(); } catch (IOException) { }
            }
        return Path.Combine(ArtifactsDirectory, $"serial-{stamp}.log");
    }
}
