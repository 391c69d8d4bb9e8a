// The program inside the VfioGuest harness's Linux guest (see tests/Regs.Drivers.Tests/VfioGuest).
//
// Protocol with the harness: the guest's serial console is the only channel. Every line meant for
// the harness starts with "regs-guest: " (the guest's /init prints its own lines as "regs-init: ");
// anything else on the console (kernel messages) is ignored. Lines, in order:
//   regs-guest: hello                                    first line, proves the program started
//   regs-guest: PCI <bdf> <vendor>:<device> driver=<name|none> group=<n|none>   one per PCI function
//   regs-guest: PASS <check>                             a check that passed (name without spaces)
//   regs-guest: FAIL <check>: <reason>                   a check that failed
//   regs-guest: SUMMARY <passed> passed <failed> failed  last line; the exit code is 0 iff failed == 0
// Arguments, from /init: --igb <bdf> --virtio <bdf> (the NICs, already bound to vfio-pci); either
// may be missing when /init did not find the device, which the checks then report. Two more modes
// for the kill cycles of /init (GuestImage.InitScript):
//   --stream igb|virtio --route vfio|raw    stream to the other NIC until killed (TrafficStream);
//                                           prints "regs-guest: STREAM <name> running ..." once traffic flows both ways
//   --after-kill <label> --route vfio|raw --dmar-before <n>   the fresh run after the kill (AfterKill)
// Both print PASS/FAIL lines like the main run; --after-kill ends with its own SUMMARY line.
using System;
using System.Collections.Generic;
using System.IO;

namespace Regs.VfioGuest;

internal static class Program
{
    private static int _passed, _failed;

    private static int Main(string[] args)
    {
        var nics = ParseArguments(args);
        nics.TryGetValue("route", out string? route);
        if (nics.TryGetValue("stream", out string? streamNic))
            return TrafficStream.Run(streamNic, route ?? "vfio", nics.GetValueOrDefault("igb", ""), nics.GetValueOrDefault("virtio", ""));
        if (nics.TryGetValue("after-kill", out string? label))
        {
            int dmarBefore = int.TryParse(nics.GetValueOrDefault("dmar-before"), out int n) ? n : 0;
            AfterKill.Run(label, route ?? "vfio", nics.GetValueOrDefault("igb", ""), nics.GetValueOrDefault("virtio", ""), dmarBefore);
            return Summary();
        }

        Say("hello");
        ListPci();

        Check("vfio-container", File.Exists("/dev/vfio/vfio") ? null : "/dev/vfio/vfio does not exist");
        if (!nics.TryGetValue("igb", out string? igb) || !nics.TryGetValue("virtio", out string? virtio))
        {
            Check("nics", "both --igb and --virtio are needed");
        }
        else
        {
            foreach (var (name, bdf) in new[] { ("igb", igb), ("virtio", virtio) })
                Check($"{name}-vfio", Link($"/sys/bus/pci/devices/{bdf}/driver") == "vfio-pci" ? null : $"{bdf} is not bound to vfio-pci");
            int descriptorsBefore = Directory.GetFileSystemEntries("/proc/self/fd").Length;
            Scenarios.ThroughVfio(igb, virtio, Runtime.Vfio.VfioInterruptMode.None);
            Scenarios.ThroughVfio(igb, virtio, Runtime.Vfio.VfioInterruptMode.Msix);
            Scenarios.ThroughVfio(igb, virtio, Runtime.Vfio.VfioInterruptMode.Intx);
            FrameRate.Run(igb, virtio, Runtime.Vfio.VfioInterruptMode.None);
            FrameRate.Run(igb, virtio, Runtime.Vfio.VfioInterruptMode.Msix);
            Check("demo-vfio", RunDemo("--backend", "vfio", "--device", igb, "--device", virtio, "--gateway", "--interrupts"));
            Scenarios.ClearErrors();
            Scenarios.DmaOutsideEveryMapping(virtio);
            Scenarios.EverythingReleased(descriptorsBefore);
            Scenarios.RawRoute(igb, virtio);
        }

        return Summary();
    }

    /// <summary>The README's demo, /regs-demo (published beside this program), with <paramref name="args"/>: null when it exited 0. Its output goes to the console.</summary>
    private static string? RunDemo(params string[] args)
    {
        const string demo = "/regs-demo";
        if (!File.Exists(demo)) return $"{demo} is missing from the initramfs";
        var start = new System.Diagnostics.ProcessStartInfo(demo) { UseShellExecute = false };
        foreach (string a in args) start.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(start)!;
        if (!process.WaitForExit(120_000)) { process.Kill(); return "the demo did not finish within 2 minutes"; }
        return process.ExitCode == 0 ? null : $"the demo's VFIO mode exited {process.ExitCode} (its output is above)";
    }

    private static int Summary()
    {
        Say($"SUMMARY {_passed} passed {_failed} failed");
        return _failed == 0 ? 0 : 1;
    }

    internal static void Say(string line) => Console.Out.Write("regs-guest: " + line + "\n");

    internal static void Check(string name, string? failure)
    {
        if (failure is null) { _passed++; Say($"PASS {name}"); }
        else { _failed++; Say($"FAIL {name}: {failure}"); }
    }

    private static Dictionary<string, string> ParseArguments(string[] args)
    {
        var found = new Dictionary<string, string>();
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal)) found[args[i][2..]] = args[i + 1];
        }
        return found;
    }

    private static void ListPci()
    {
        const string root = "/sys/bus/pci/devices";
        if (!Directory.Exists(root)) { Say($"PCI none ({root} missing)"); return; }
        var devices = Directory.GetFileSystemEntries(root);
        Array.Sort(devices, StringComparer.Ordinal);
        foreach (string path in devices)
        {
            string bdf = Path.GetFileName(path);
            string vendor = Read(Path.Combine(path, "vendor")).Replace("0x", "");
            string device = Read(Path.Combine(path, "device")).Replace("0x", "");
            Say($"PCI {bdf} {vendor}:{device} driver={Link(Path.Combine(path, "driver")) ?? "none"} group={Link(Path.Combine(path, "iommu_group")) ?? "none"}");
        }
    }

    private static string Read(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (IOException) { return "?"; }
    }

    // The last component of a symlink's target (sysfs links: driver, iommu_group), or null.
    internal static string? Link(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.LinkTarget is { } target ? Path.GetFileName(target) : null;
        }
        catch (IOException) { return null; }
    }
}
