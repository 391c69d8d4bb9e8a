using System;
using System.Diagnostics;
using System.IO;
using Regs.Runtime.Qtest;

namespace Regs.Drivers.Tests.VfioGuest;

/// <summary>Everything one <see cref="VfioGuestHarness.Boot"/> did, with its timings.</summary>
public sealed record VfioGuestResult(GuestImage Image, GuestProgram Program, GuestProgram Demo, string Initramfs, GuestRun Run,
    TimeSpan PrerequisitesTime, TimeSpan ImageTime, TimeSpan PublishTime, TimeSpan InitramfsTime, TimeSpan Total)
{
    /// <summary>One line per phase, for test output.</summary>
    public string Timings =>
        $"prerequisites {PrerequisitesTime.TotalSeconds:F1} s; image {ImageTime.TotalSeconds:F1} s ({(Image.FromCache ? "cached" : $"download {Image.DownloadTime.TotalSeconds:F1} s, extract {Image.ExtractTime.TotalSeconds:F1} s")}); " +
        $"guest program and demo {PublishTime.TotalSeconds:F1} s ({(Program.FromCache ? "cached" : "published")}, {(Demo.FromCache ? "cached" : "published")}); initramfs {InitramfsTime.TotalSeconds:F2} s ({new FileInfo(Initramfs).Length / 1024} KiB); " +
        $"boot to /init {Run.InitStarted?.TotalSeconds:F1} s (guest uptime {Run.InitUptime:F1} s); QEMU run {Run.Elapsed.TotalSeconds:F1} s; total {Total.TotalSeconds:F1} s";
}

/// <summary>
/// The whole VfioGuest pipeline: QEMU (installed from bookworm-backports when missing and root),
/// the cached kernel and busybox (<see cref="GuestImage"/>), the NativeAOT guest program and
/// demo (<see cref="GuestProgram"/>), the initramfs, and one boot (<see cref="LinuxGuest"/>).
/// </summary>
public static class VfioGuestHarness
{
    /// <summary>Prepares everything (cached where possible) and boots the guest once.</summary>
    public static VfioGuestResult Boot(LinuxGuestOptions? options = null, int hugepages = 32, bool gzipInitramfs = false, Action<string>? log = null)
    {
        log ??= _ => { };
        var total = Stopwatch.StartNew();
        var phase = Stopwatch.StartNew();
        EnsureQemu();
        var prerequisites = phase.Elapsed;

        phase.Restart();
        var image = GuestImage.Prepare(log);
        var imageTime = phase.Elapsed;

        phase.Restart();
        var program = GuestProgram.Publish(GuestProgram.Guest, log);
        var demo = GuestProgram.Publish(GuestProgram.Demo, log);
        var publishTime = phase.Elapsed;

        phase.Restart();
        string initramfs = image.BuildInitramfs(program.Path, demo.Path, hugepages, gzipInitramfs);
        var initramfsTime = phase.Elapsed;

        var run = LinuxGuest.Run(image.KernelPath, initramfs, options, log);
        var result = new VfioGuestResult(image, program, demo, initramfs, run, prerequisites, imageTime, publishTime, initramfsTime, total.Elapsed);
        log(result.Timings);
        return result;
    }

    /// <summary>
    /// A QEMU with igb (8.0 or newer). When it is missing and this process is root, installs
    /// qemu-system-x86 from bookworm-backports as test.sh does; otherwise throws
    /// <see cref="QemuUnavailableException"/> (its message says what to install).
    /// </summary>
    public static void EnsureQemu()
    {
        // REGS_QEMU names a QEMU on purpose: never install over it, just report what is wrong with it.
        bool explicitQemu = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("REGS_QEMU"));
        if (QemuBinary.IsAvailable() || explicitQemu || !HostTools.IsRoot || !File.Exists("/etc/debian_version")) { QemuBinary.Locate(); return; }
        string codename = "bookworm";
        foreach (string line in File.ReadAllLines("/etc/os-release"))
            if (line.StartsWith("VERSION_CODENAME=", StringComparison.Ordinal)) codename = line["VERSION_CODENAME=".Length..].Trim('"');
        string sources = "/etc/apt/sources.list.d/regs-backports.list";
        if (!File.Exists(sources) && !File.Exists("/etc/apt/sources.list.d/backports.list"))
        {
            File.WriteAllText(sources, $"deb http://deb.debian.org/debian {codename}-backports main\n");
            HostTools.Run("apt-get", new[] { "-q", "update" }, TimeSpan.FromMinutes(2));
        }
        HostTools.EnsurePackages("the VfioGuest harness (QEMU >= 8 with igb)", QemuBinary.IsAvailable, new[] { "qemu-system-x86" }, $"{codename}-backports");
        QemuBinary.Locate();
    }
}
