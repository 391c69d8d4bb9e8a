using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using Regs.Runtime.Qtest;

namespace Regs.Drivers.Tests.VfioGuest;

/// <summary>How <see cref="LinuxGuest"/> starts QEMU.</summary>
public sealed record LinuxGuestOptions
{
    /// <summary>Guest RAM in MiB.</summary>
    public int MemoryMiB { get; init; } = 512;
    /// <summary>Virtual CPUs (TCG runs them on host threads).</summary>
    public int Cpus { get; init; } = 1;
    /// <summary>QEMU is killed after this long and the run fails with the serial log.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>
    /// The kernel command line (the console must stay ttyS0: the serial port is the only channel).
    /// no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer check can miss its
    /// ticks and panic ("timer doesn't work through Interrupt-remapped IO-APIC"; seen in a CI run).
    /// </summary>
    public string KernelArguments { get; init; } = "console=ttyS0 intel_iommu=on iommu=pt quiet panic=-1 no_timer_check";
    /// <summary>MAC of the igb NIC (slot 2).</summary>
    public string IgbMac { get; init; } = "52:54:00:12:34:56";
    /// <summary>MAC of the virtio-net-pci NIC (slot 3).</summary>
    public string VirtioMac { get; init; } = "52:54:00:12:34:57";
    /// <summary>slirp hostfwd rules (<c>tcp:HOSTADDR:HOSTPORT-GUESTADDR:GUESTPORT</c>) for the user netdev: connections from the host into the guest.</summary>
    public IReadOnlyList<string> HostForwards { get; init; } = Array.Empty<string>();
    /// <summary>Called with QEMU's warning log just before QEMU starts (to watch the file grow while the guest runs).</summary>
    public Action<QemuLog>? QemuLogStarting { get; init; }
    /// <summary>Arguments appended to QEMU's command line.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = Array.Empty<string>();
    /// <summary>
    /// Counting mode (<see cref="GuestCounts"/>): QEMU's log (-D) goes to this file with the
    /// counting trace events on, and its other lines are copied to the warning log after QEMU exits.
    /// The virtio NIC then runs with ioeventfd=off: with an ioeventfd QEMU's memory_region_dispatch_write
    /// serves a queue notification before the access is traced, so the doorbells would not count.
    /// </summary>
    public string? TracePath { get; init; }
    /// <summary>In counting mode, a length of <see cref="TracePath"/> noted during the run (or -1), mapped to <see cref="GuestRun.TraceMarkInLog"/>.</summary>
    public Func<long>? TraceMark { get; init; }
}

/// <summary>A NIC as the guest's /init reported it after binding it to vfio-pci.</summary>
public sealed record GuestNic(string Name, string Bdf, string Group, string Driver, string DomainType);

/// <summary>What a guest run printed and how it ended.</summary>
public sealed class GuestRun
{
    internal GuestRun(string serialLog, IReadOnlyList<QemuConsoleLine> console, int qemuExitCode, TimeSpan elapsed, string commandLine, QemuLog qemuLog, string? tracePath = null, long traceMarkInLog = -1)
    {
        TracePath = tracePath;
        TraceMarkInLog = traceMarkInLog;
        SerialLog = serialLog;
        QemuLog = qemuLog;
        Console = console;
        QemuExitCode = qemuExitCode;
        Elapsed = elapsed;
        CommandLine = commandLine;
    }

    /// <summary>The serial console log (kept as an artifact).</summary>
    public string SerialLog { get; }
    /// <summary>QEMU's warnings about what the guest did (complete: QEMU has exited), kept beside the serial log.</summary>
    public QemuLog QemuLog { get; }
    /// <summary>Every console line, as read.</summary>
    public IReadOnlyList<QemuConsoleLine> Console { get; }
    /// <summary>QEMU's exit code (0 after the guest's poweroff).</summary>
    public int QemuExitCode { get; }
    /// <summary>From QEMU's start to its exit.</summary>
    public TimeSpan Elapsed { get; }
    /// <summary>The QEMU command line.</summary>
    public string CommandLine { get; }
    /// <summary>Counting mode: QEMU's whole log with the counting trace events (<see cref="GuestCounts"/>), else null.</summary>
    public string? TracePath { get; }
    /// <summary>Counting mode: where <see cref="LinuxGuestOptions.TraceMark"/> falls in <see cref="QemuLog"/>'s file, or -1.</summary>
    public long TraceMarkInLog { get; }

    /// <summary>The text after "regs-guest: " of each guest-program line (see tests/Regs.VfioGuest/Program.cs).</summary>
    public IReadOnlyList<string> GuestLines => Tagged("regs-guest: ").Select(l => l.Text).ToList();
    /// <summary>The text after "regs-init: " of each line the guest's /init printed.</summary>
    public IReadOnlyList<string> InitLines => Tagged("regs-init: ").Select(l => l.Text).ToList();
    /// <summary>When /init printed its first line (host clock from QEMU's start), or null.</summary>
    public TimeSpan? InitStarted => Tagged("regs-init: ").Select(l => (TimeSpan?)l.At).FirstOrDefault();
    /// <summary>The guest's uptime when /init started (its own clock), or null.</summary>
    public double? InitUptime => Value(InitLines.FirstOrDefault(l => l.StartsWith("start ", StringComparison.Ordinal)), "uptime");
    /// <summary>The exit code /init saw from /regs-guest, or null when it did not get that far.</summary>
    public int? GuestExitCode => InitLines.Where(l => l.StartsWith("EXIT ", StringComparison.Ordinal)).Select(l => (int?)int.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture)).LastOrDefault();
    /// <summary>The NICs /init found and bound.</summary>
    public IReadOnlyList<GuestNic> Nics => InitLines
        .Select(l => Regex.Match(l, @"^NIC (\S+) (\S+) group=(\S*) driver=(\S*) domain=(\S*)"))
        .Where(m => m.Success)
        .Select(m => new GuestNic(m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value, m.Groups[5].Value))
        .ToList();
    /// <summary>Checks the guest program reported as passed.</summary>
    public IReadOnlyList<string> Passed => GuestLines.Where(l => l.StartsWith("PASS ", StringComparison.Ordinal)).Select(l => l[5..]).ToList();
    /// <summary>Checks the guest program reported as failed, with their reasons.</summary>
    public IReadOnlyList<string> Failed => GuestLines.Where(l => l.StartsWith("FAIL ", StringComparison.Ordinal)).Select(l => l[5..]).ToList();
    /// <summary>The numbers of the guest's SUMMARY line, or null when it printed none.</summary>
    public (int Passed, int Failed)? Summary
    {
        get
        {
            var m = GuestLines.Select(l => Regex.Match(l, @"^SUMMARY (\d+) passed (\d+) failed$")).LastOrDefault(x => x.Success);
            return m is null ? null : (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The numbers of every SUMMARY line, in order (the main run's, then one per fresh run after a kill).</summary>
    public IReadOnlyList<(int Passed, int Failed)> Summaries => GuestLines
        .Select(l => Regex.Match(l, @"^SUMMARY (\d+) passed (\d+) failed$"))
        .Where(m => m.Success)
        .Select(m => (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
        .ToList();

    /// <summary>The whole console text, for failure messages.</summary>
    public string ConsoleText => string.Join('\n', Console.Select(l => l.Text));

    private IEnumerable<QemuConsoleLine> Tagged(string tag)
    {
        foreach (var line in Console)
        {
            int at = line.Text.IndexOf(tag, StringComparison.Ordinal);
            if (at >= 0) yield return line with { Text = line.Text[(at + tag.Length)..] };
        }
    }

    private static double? Value(string? line, string key)
    {
        if (line is null) return null;
        var m = Regex.Match(line, $@"\b{key}=([0-9.]+)");
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }
}

/// <summary>
/// Boots the guest under QEMU (q35, TCG, emulated Intel IOMMU with interrupt remapping, igb at
/// 00:02.0 and a modern virtio-net-pci with iommu_platform at 00:03.0, both on one hub with slirp,
/// so they reach each other and 10.0.2.2) and collects the serial console until QEMU exits (the
/// guest powers off) or the timeout passes (QEMU is killed and a <see cref="QemuException"/>
/// carries the log). The console is written to artifacts/vfio-guest/serial-TIMESTAMP-PID.log,
/// QEMU's warnings (<see cref="QemuLog"/>) to qemu-TIMESTAMP-PID.log beside it.
/// </summary>
public static class LinuxGuest
{
    /// <summary>The guest BDF of the igb NIC.</summary>
    public const string IgbBdf = "0000:00:02.0";
    /// <summary>The guest BDF of the virtio-net NIC.</summary>
    public const string VirtioBdf = "0000:00:03.0";

    /// <summary>Serial logs kept in the cache folder (older ones are deleted).</summary>
    public const int KeptLogs = 20;

    /// <summary>The QEMU arguments (without the binary) for <paramref name="kernel"/> and <paramref name="initrd"/>.</summary>
    public static List<string> Arguments(string kernel, string initrd, LinuxGuestOptions options)
    {
        var a = new List<string>
        {
            "-M", "q35", "-accel", "tcg", "-cpu", "max", "-m", $"{options.MemoryMiB}M", "-smp", options.Cpus.ToString(CultureInfo.InvariantCulture),
            "-nodefaults", "-display", "none", "-no-reboot", "-monitor", "none", "-serial", "stdio",
            // Before the NICs: virtio's iommu_platform needs the IOMMU to exist. Interrupt
            // remapping is required by vfio_iommu_type1. No caching-mode: that is for assigning
            // host devices to a guest with a vIOMMU, not for emulated devices.
            "-device", "intel-iommu,intremap=on",
            "-kernel", kernel, "-initrd", initrd, "-append", options.KernelArguments,
            "-netdev", "hubport,id=h0,hubid=0", "-device", $"igb,netdev=h0,mac={options.IgbMac},addr=0x2,romfile=",
            "-netdev", "hubport,id=h1,hubid=0", "-device", $"virtio-net-pci,netdev=h1,mac={options.VirtioMac},disable-legacy=on,iommu_platform=on,addr=0x3,romfile=" + (options.TracePath is null ? "" : ",ioeventfd=off"),
            "-netdev", "user,id=gw" + string.Concat(options.HostForwards.Select(f => ",hostfwd=" + f)), "-netdev", "hubport,id=gwp,hubid=0,netdev=gw",
        };
        a.AddRange(options.ExtraArguments);
        return a;
    }

    /// <summary>
    /// Boots <paramref name="kernel"/> with <paramref name="initrd"/> and returns what the console
    /// showed once QEMU exits. Throws <see cref="QemuUnavailableException"/> without a usable QEMU
    /// and <see cref="QemuException"/> (with the console) when the run exceeds its timeout.
    /// </summary>
    public static GuestRun Run(string kernel, string initrd, LinuxGuestOptions? options = null, Action<string>? log = null)
    {
        options ??= new LinuxGuestOptions();
        log ??= _ => { };
        var (qemu, _) = QemuBinary.Locate();
        var arguments = Arguments(kernel, initrd, options);
        string serialLog = NewLogPath();
        var qemuLog = new QemuLog(Path.Combine(Path.GetDirectoryName(serialLog)!, "qemu-" + Path.GetFileName(serialLog)["serial-".Length..]));
        arguments.AddRange(QemuLog.Arguments(options.TracePath ?? qemuLog.Path));
        if (options.TracePath is not null) arguments.AddRange(GuestCounts.TraceArguments);
        log($"serial log: {serialLog}; QEMU warnings: {qemuLog.Path}{(options.TracePath is null ? "" : $" (copied from the trace {options.TracePath})")}");
        options.QemuLogStarting?.Invoke(qemuLog);

        QemuConsoleRun run = QemuConsole.Run(qemu, arguments, serialLog, options.Timeout, text => text.TrimEnd('\r'), "the guest", qemuLog);
        long mark = -1;
        if (options.TracePath is not null) mark = GuestCounts.SplitLog(options.TracePath, qemuLog.Path, options.TraceMark?.Invoke() ?? -1);
        qemuLog.Seal();
        return new GuestRun(serialLog, run.Lines, run.ExitCode, run.Elapsed, run.CommandLine, qemuLog, options.TracePath, mark);
    }

    private static string NewLogPath()
    {
        string dir = HostTools.CacheDirectory;
        foreach (string pattern in new[] { "serial-*.log", "qemu-*.log" })
            foreach (var old in new DirectoryInfo(dir).GetFiles(pattern).OrderByDescending(f => f.Name, StringComparer.Ordinal).Skip(KeptLogs - 1))
            {
                try { old.Delete(); } catch (IOException) { }
            }
        string stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture);
        return Path.Combine(dir, $"serial-{stamp}-{Environment.ProcessId}.log");
    }
}
