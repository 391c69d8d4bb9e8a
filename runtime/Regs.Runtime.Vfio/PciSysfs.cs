using System;
using System.Collections.Generic;
using System.IO;

namespace Regs.Runtime.Vfio;

/// <summary>
/// A PCI function's entries under /sys/bus/pci/devices (Documentation/ABI/testing/sysfs-bus-pci):
/// its bound driver, its IOMMU group, and binding it to vfio-pci the way the kernel docs describe
/// (driver_override, unbind, drivers_probe). Writing these files needs root.
/// </summary>
public static class PciSysfs
{
    /// <summary>Where sysfs lists PCI functions.</summary>
    public const string DevicesRoot = "/sys/bus/pci/devices";

    /// <summary>The full, lowercase domain:bus:device.function form ("00:03.0" becomes "0000:00:03.0").</summary>
    public static string NormalizeAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        string a = address.Trim().ToLowerInvariant();
        if (a.Length == 7 && a[2] == ':' && a[5] == '.') a = "0000:" + a;
        if (a.Length != 12 || a[4] != ':' || a[7] != ':' || a[10] != '.')
            throw new VfioException($"'{address}' is not a PCI address: expected domain:bus:device.function such as 0000:00:03.0 (lspci -D lists them)");
        return a;
    }

    /// <summary>The function's sysfs directory.</summary>
    public static string DevicePath(string address) => DevicesRoot + "/" + NormalizeAddress(address);

    /// <summary>True when sysfs lists the function.</summary>
    public static bool Exists(string address) => Directory.Exists(DevicePath(address));

    /// <summary>The name of the driver bound to the function (e.g. "vfio-pci", "igb"), null when none.</summary>
    public static string? BoundDriver(string address) => LinkName(DevicePath(address) + "/driver");

    /// <summary>The function's IOMMU group number, -1 when it has none (no IOMMU, or it is disabled).</summary>
    public static int IommuGroup(string address)
    {
        string? name = LinkName(DevicePath(address) + "/iommu_group");
        return name is not null && int.TryParse(name, out int group) ? group : -1;
    }

    /// <summary>The PCI addresses in IOMMU group <paramref name="group"/> (/sys/kernel/iommu_groups/N/devices).</summary>
    public static IReadOnlyList<string> GroupDevices(int group)
    {
        var list = new List<string>();
        string dir = $"/sys/kernel/iommu_groups/{group}/devices";
        if (!Directory.Exists(dir)) return list;
        foreach (string entry in Directory.GetFileSystemEntries(dir)) list.Add(Path.GetFileName(entry));
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    /// <summary>
    /// Hands the function to vfio-pci: sets driver_override, unbinds the current driver if any and
    /// asks the kernel to probe again. Needs root and the vfio-pci module loaded.
    /// </summary>
    public static void BindToVfioPci(string address)
    {
        string bdf = NormalizeAddress(address);
        if (!Exists(bdf)) throw NoSuchDevice(bdf);
        if (BoundDriver(bdf) == "vfio-pci") return;
        WriteSysfs(DevicePath(bdf) + "/driver_override", "vfio-pci");
        Unbind(bdf);
        WriteSysfs("/sys/bus/pci/drivers_probe", bdf);
        if (BoundDriver(bdf) != "vfio-pci")
            throw new VfioException($"{bdf} did not bind to vfio-pci after drivers_probe: is the vfio-pci module loaded (modprobe vfio-pci)?");
    }

    /// <summary>Unbinds whatever driver the function has (nothing when unbound); returns the driver's name or null.</summary>
    public static string? Unbind(string address)
    {
        string bdf = NormalizeAddress(address);
        string? driver = BoundDriver(bdf);
        if (driver is not null) WriteSysfs(DevicePath(bdf) + "/driver/unbind", bdf);
        return driver;
    }

    /// <summary>The shell commands that bind <paramref name="bdf"/> to vfio-pci, for error messages.</summary>
    internal static string BindCommands(string bdf, bool bound)
        => $"echo vfio-pci > {DevicesRoot}/{bdf}/driver_override; "
         + (bound ? $"echo {bdf} > {DevicesRoot}/{bdf}/driver/unbind; " : "")
         + $"echo {bdf} > /sys/bus/pci/drivers_probe";

    internal static VfioException NoSuchDevice(string bdf)
        => new($"no PCI device {bdf}: {DevicesRoot}/{bdf} does not exist (lspci -D lists the devices)");

    private static string? LinkName(string path)
    {
        try
        {
            var info = new FileInfo(path);
            string? target = info.LinkTarget;
            return target is null ? null : Path.GetFileName(target.TrimEnd('/'));
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static void WriteSysfs(string path, string text)
    {
        try { File.WriteAllText(path, text); }
        catch (UnauthorizedAccessException e) { throw new VfioException($"cannot write {path}: permission denied (run as root): {e.Message}"); }
        catch (IOException e) { throw new VfioException($"writing '{text}' to {path} failed: {e.Message}"); }
    }
}
