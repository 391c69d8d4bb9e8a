using System;
using System.Diagnostics;
using System.IO;
using System.Text.RegularExpressions;

namespace Regs.Runtime.Qtest;

/// <summary>
/// Finds qemu-system-x86_64 (environment variable REGS_QEMU, else PATH) and checks its version:
/// 8.0 is the first with igb.
/// </summary>
public static class QemuBinary
{
    /// <summary>The oldest usable version.</summary>
    public static readonly Version Minimum = new(8, 0);

    private static readonly object Gate = new();
    private static (string Path, Version Version)? _found;

    /// <summary>
    /// The path and version of a usable QEMU; throws <see cref="QemuUnavailableException"/> when
    /// there is none. The answer is cached for the process.
    /// </summary>
    public static (string Path, Version Version) Locate()
    {
        lock (Gate)
        {
            _found ??= Probe();
            return _found.Value;
        }
    }

    /// <summary>True when <see cref="Locate"/> would succeed (tests use it to skip).</summary>
    public static bool IsAvailable()
    {
        try { Locate(); return true; }
        catch (QemuUnavailableException) { return false; }
    }

    private static (string, Version) Probe()
    {
        string? path = Environment.GetEnvironmentVariable("REGS_QEMU");
        if (string.IsNullOrEmpty(path)) path = FindOnPath("qemu-system-x86_64");
        else if (!File.Exists(path)) throw new QemuUnavailableException($"REGS_QEMU names {path}, which does not exist");
        if (path is null) throw new QemuUnavailableException("qemu-system-x86_64 is not on PATH");

        string output;
        try
        {
            using var process = Process.Start(new ProcessStartInfo(path, "--version")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            })!;
            output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(10_000)) { process.Kill(); throw new QemuUnavailableException($"{path} --version did not finish"); }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new QemuUnavailableException($"{path} cannot be started ({e.Message})");
        }

        // "QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)"
        var match = Regex.Match(output, @"version (\d+)\.(\d+)");
        if (!match.Success) throw new QemuUnavailableException($"{path} --version printed no version ({output.Trim()})");
        var version = new Version(int.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value));
        if (version < Minimum) throw new QemuUnavailableException($"{path} is QEMU {version}, which has no igb device");
        return (path, version);
    }

    private static string? FindOnPath(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
