using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace Regs.Drivers.Tests.VfioGuest;

/// <summary>
/// The guest's Linux: Debian's stock kernel (linux-image-amd64, resolved to its versioned package)
/// and busybox-static, fetched with apt-get download, unpacked with dpkg -x and cached in
/// <see cref="HostTools.CacheDirectory"/>/image-v1 (the kernel as the uncompressed vmlinux when xz
/// can extract it: QEMU boots it through PVH about 3 s faster under TCG than vmlinuz, the VFIO
/// modules in load order, busybox). A warm cache needs neither apt nor the network.
/// <see cref="BuildInitramfs"/> packs them with a guest program and a generated /init.
/// </summary>
public sealed class GuestImage
{
    /// <summary>The VFIO modules to load, in this order; the ones a kernel lacks are left out (vfio_virqfd was merged into vfio in 6.2), and dependencies found in the modules come first.</summary>
    public static readonly IReadOnlyList<string> WantedModules = new[] { "vfio", "vfio_iommu_type1", "vfio_virqfd", "irqbypass", "vfio_pci_core", "vfio_pci" };

    /// <summary>Modules that must be present: without them there is no VFIO.</summary>
    private static readonly string[] RequiredModules = { "vfio", "vfio_iommu_type1", "vfio_pci" };

    private const string Layout = "image-v1";

    private GuestImage(string directory, string kernelVersion, string kernelPath, IReadOnlyList<string> modules, bool fromCache, TimeSpan download, TimeSpan extract)
    {
        Directory = directory;
        KernelVersion = kernelVersion;
        KernelPath = kernelPath;
        ModuleNames = modules;
        FromCache = fromCache;
        DownloadTime = download;
        ExtractTime = extract;
    }

    /// <summary>The cached image's folder.</summary>
    public string Directory { get; }
    /// <summary>The kernel release, e.g. 6.1.0-56-amd64.</summary>
    public string KernelVersion { get; }
    /// <summary>The kernel QEMU boots: vmlinux (uncompressed ELF, PVH entry) when extracted, else vmlinuz.</summary>
    public string KernelPath { get; }
    /// <summary>The static busybox.</summary>
    public string BusyboxPath => Path.Combine(Directory, "busybox");
    /// <summary>Module names (underscores) in insmod order.</summary>
    public IReadOnlyList<string> ModuleNames { get; }
    /// <summary>True when nothing had to be downloaded or extracted.</summary>
    public bool FromCache { get; }
    /// <summary>Time spent in apt-get download (zero from cache).</summary>
    public TimeSpan DownloadTime { get; }
    /// <summary>Time spent unpacking the packages, extracting vmlinux and picking the modules (zero from cache).</summary>
    public TimeSpan ExtractTime { get; }

    /// <summary>
    /// The cached image, or a new one made from the Debian packages (apt-get download; root not
    /// needed for that). <paramref name="log"/> receives progress lines.
    /// </summary>
    public static GuestImage Prepare(Action<string>? log = null)
    {
        log ??= _ => { };
        string dir = Path.Combine(HostTools.CacheDirectory, Layout);
        using var cacheLock = HostTools.LockCache(Layout, TimeSpan.FromMinutes(5));
        if (TryLoad(dir) is { } cached)
        {
            log($"guest image: cached {cached.KernelVersion} in {dir}");
            return cached;
        }

        if (HostTools.Which("dpkg-deb") is null) throw new InvalidOperationException("dpkg-deb is missing: the VfioGuest harness unpacks Debian packages (Debian or Ubuntu host required)");
        string debs = Path.Combine(HostTools.CacheDirectory, "debs");
        var clock = Stopwatch.StartNew();
        string meta = HostTools.AptDownload("linux-image-amd64", debs);
        string depends = HostTools.RunChecked("dpkg-deb", new[] { "-f", meta, "Depends" }, TimeSpan.FromSeconds(30));
        string kernelPackage = depends.Split(new[] { ',', '|', ' ', '\n' }, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(p => p.StartsWith("linux-image-", StringComparison.Ordinal) && char.IsDigit(p["linux-image-".Length]))
            ?? throw new InvalidOperationException($"linux-image-amd64 depends on no versioned kernel package ({depends.Trim()})");
        string kernelDeb = HostTools.AptDownload(kernelPackage, debs);
        string busyboxDeb = HostTools.AptDownload("busybox-static", debs);
        var download = clock.Elapsed;
        log($"guest image: downloaded {kernelPackage} and busybox-static in {download.TotalSeconds:F1} s");

        clock.Restart();
        string staging = dir + ".tmp-" + Environment.ProcessId;
        string unpacked = staging + "-root";
        DeleteDirectory(staging);
        DeleteDirectory(unpacked);
        System.IO.Directory.CreateDirectory(Path.Combine(staging, "modules"));
        try
        {
            HostTools.RunChecked("dpkg-deb", new[] { "-x", kernelDeb, unpacked }, TimeSpan.FromMinutes(2));
            HostTools.RunChecked("dpkg-deb", new[] { "-x", busyboxDeb, unpacked }, TimeSpan.FromMinutes(1));

            // /lib/modules (Debian 12) or /usr/lib/modules (merged /usr, Debian 13).
            string modulesDir = new[] { Path.Combine(unpacked, "lib", "modules"), Path.Combine(unpacked, "usr", "lib", "modules") }.FirstOrDefault(System.IO.Directory.Exists)
                ?? throw new InvalidOperationException($"{kernelDeb} has no lib/modules");
            string moduleRoot = System.IO.Directory.GetDirectories(modulesDir).Single();
            string version = Path.GetFileName(moduleRoot);
            string vmlinuz = Path.Combine(unpacked, "boot", "vmlinuz-" + version);
            File.Copy(vmlinuz, Path.Combine(staging, "vmlinuz"));
            File.Copy(Path.Combine(unpacked, "bin", "busybox"), Path.Combine(staging, "busybox"));
            if (!TryExtractVmlinux(vmlinuz, Path.Combine(staging, "vmlinux"), out string why)) log($"guest image: booting vmlinuz ({why})");

            var order = ResolveModules(moduleRoot, Path.Combine(staging, "modules"));
            File.WriteAllLines(Path.Combine(staging, "modules.order"), order);
            File.WriteAllText(Path.Combine(staging, "version"), version + "\n");
            DeleteDirectory(dir);
            System.IO.Directory.Move(staging, dir);
        }
        finally
        {
            DeleteDirectory(unpacked);
            DeleteDirectory(staging);
        }
        var extract = clock.Elapsed;
        var image = TryLoad(dir, fromCache: false, download, extract) ?? throw new InvalidOperationException($"the guest image in {dir} is incomplete");
        log($"guest image: kernel {image.KernelVersion} ({Path.GetFileName(image.KernelPath)}), modules {string.Join(' ', image.ModuleNames)}, extracted in {extract.TotalSeconds:F1} s");
        return image;
    }

    private static GuestImage? TryLoad(string dir, bool fromCache = true, TimeSpan download = default, TimeSpan extract = default)
    {
        string versionFile = Path.Combine(dir, "version");
        if (!File.Exists(versionFile) || !File.Exists(Path.Combine(dir, "busybox"))) return null;
        string kernel = Path.Combine(dir, "vmlinux");
        if (!File.Exists(kernel)) kernel = Path.Combine(dir, "vmlinuz");
        if (!File.Exists(kernel)) return null;
        var modules = File.ReadAllLines(Path.Combine(dir, "modules.order")).Where(l => l.Length != 0).ToList();
        if (modules.Any(m => !File.Exists(Path.Combine(dir, "modules", m + ".ko")))) return null;
        return new GuestImage(dir, File.ReadAllText(versionFile).Trim(), kernel, modules, fromCache, download, extract);
    }

    // bzImage carries the kernel as a compressed payload (xz on Debian): decompress from its magic.
    private static bool TryExtractVmlinux(string vmlinuz, string vmlinux, out string why)
    {
        why = "";
        if (HostTools.Which("xz") is null) { why = "xz is not installed"; return false; }
        byte[] image = File.ReadAllBytes(vmlinuz);
        int at = image.AsSpan().IndexOf(new byte[] { 0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00 });
        if (at < 0) { why = "no xz payload in vmlinuz"; return false; }
        string payload = vmlinux + ".xz";
        File.WriteAllBytes(payload, image.AsSpan(at).ToArray());
        try
        {
            // --single-stream: bzImage has data after the xz stream, which must not count as an error.
            var (code, output) = HostTools.Run("/bin/sh", new[] { "-c", "xz -dc --single-stream \"$1\" > \"$2\"", "sh", payload, vmlinux }, TimeSpan.FromMinutes(1));
            if (code != 0 || !IsElf(vmlinux))
            {
                File.Delete(vmlinux);
                why = $"xz failed ({code}): {output.Trim()}";
                return false;
            }
            return true;
        }
        finally { File.Delete(payload); }
    }

    private static bool IsElf(string path)
    {
        if (!File.Exists(path)) return false;
        using var file = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        return file.Read(head) == 4 && head.SequenceEqual(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' });
    }

    // Copies the wanted modules and everything they depend on (from each module's .modinfo
    // "depends=" entry) into target, decompressing .ko.xz; returns the names in load order.
    private static List<string> ResolveModules(string moduleRoot, string target)
    {
        var files = new Dictionary<string, string>();
        foreach (string file in System.IO.Directory.EnumerateFiles(Path.Combine(moduleRoot, "kernel"), "*.ko*", SearchOption.AllDirectories))
        {
            string name = Path.GetFileName(file);
            name = name[..name.IndexOf(".ko", StringComparison.Ordinal)].Replace('-', '_');
            files.TryAdd(name, file);
        }
        foreach (string required in RequiredModules)
            if (!files.ContainsKey(required)) throw new InvalidOperationException($"the kernel in {moduleRoot} has no {required} module (VFIO built in or missing)");

        var order = new List<string>();
        var visiting = new HashSet<string>();
        void Visit(string name)
        {
            if (order.Contains(name) || !visiting.Add(name)) return;
            string file = files[name];
            byte[] bytes = Decompress(file);
            foreach (string dependency in Depends(bytes))
            {
                if (!files.ContainsKey(dependency)) throw new InvalidOperationException($"module {name} depends on {dependency}, which is not a module of this kernel");
                Visit(dependency);
            }
            File.WriteAllBytes(Path.Combine(target, name + ".ko"), bytes);
            order.Add(name);
        }
        foreach (string wanted in WantedModules)
            if (files.ContainsKey(wanted)) Visit(wanted);
        return order;
    }

    private static byte[] Decompress(string file)
    {
        if (file.EndsWith(".ko", StringComparison.Ordinal)) return File.ReadAllBytes(file);
        string tool = file.EndsWith(".xz", StringComparison.Ordinal) ? "xz" : file.EndsWith(".zst", StringComparison.Ordinal) ? "zstd" : throw new InvalidOperationException($"unknown module compression: {file}");
        if (HostTools.Which(tool) is null) throw new InvalidOperationException($"{file} is compressed; the VfioGuest harness needs {tool} to unpack it");
        string plain = Path.Combine(Path.GetTempPath(), $"regs-module-{Environment.ProcessId}.ko");
        try
        {
            HostTools.RunChecked("/bin/sh", new[] { "-c", $"{tool} -dc \"$1\" > \"$2\"", "sh", file, plain }, TimeSpan.FromMinutes(1));
            return File.ReadAllBytes(plain);
        }
        finally { File.Delete(plain); }
    }

    // The .modinfo section is NUL-separated key=value strings; "depends=" lists module names.
    private static IEnumerable<string> Depends(byte[] module)
    {
        byte[] key = "depends="u8.ToArray();
        var span = module.AsSpan();
        for (int from = 0; ;)
        {
            int at = span[from..].IndexOf(key);
            if (at < 0) yield break;
            at += from;
            from = at + key.Length;
            if (at > 0 && module[at - 1] != 0) continue;
            int end = Array.IndexOf(module, (byte)0, from);
            if (end < 0) yield break;
            string value = Encoding.ASCII.GetString(module, from, end - from);
            if (value.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or ','))) continue;
            foreach (string name in value.Split(',', StringSplitOptions.RemoveEmptyEntries)) yield return name.Replace('-', '_');
            yield break;
        }
    }

    /// <summary>
    /// An initramfs holding busybox, the modules, <paramref name="guestProgram"/> as /regs-guest,
    /// <paramref name="demo"/> as /regs-demo and the /init of <see cref="InitScript"/>; cached by content hash in the cache folder. With
    /// <paramref name="gzip"/> it is gzip-compressed (smaller, but the kernel spends time inflating
    /// it under TCG).
    /// </summary>
    public string BuildInitramfs(string guestProgram, string demo, int hugepages = 32, bool gzip = false)
    {
        using var buffer = new MemoryStream();
        using (var cpio = new CpioArchive(buffer))
        {
            foreach (string d in new[] { "bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "proc", "sys", "tmp", "run", "lib", "lib/modules" })
                cpio.AddDirectory(d);
            cpio.AddCharDevice("dev/console", 5, 1);
            cpio.AddExecutable("bin/busybox", File.ReadAllBytes(BusyboxPath));
            cpio.AddSymlink("bin/sh", "busybox");
            foreach (string module in ModuleNames)
                cpio.AddFile($"lib/modules/{module}.ko", File.ReadAllBytes(Path.Combine(Directory, "modules", module + ".ko")));
            cpio.AddExecutable("init", Encoding.UTF8.GetBytes(InitScript(ModuleNames, hugepages)));
            cpio.AddExecutable("regs-guest", File.ReadAllBytes(guestProgram));
            cpio.AddExecutable("regs-demo", File.ReadAllBytes(demo));
        }
        byte[] bytes = buffer.ToArray();
        if (gzip)
        {
            using var compressed = new MemoryStream();
            using (var z = new GZipStream(compressed, CompressionLevel.Fastest)) z.Write(bytes);
            bytes = compressed.ToArray();
        }
        string hash = Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();
        string path = Path.Combine(HostTools.CacheDirectory, $"initramfs-{hash}.cpio{(gzip ? ".gz" : "")}");
        if (!File.Exists(path))
        {
            PruneInitramfs();
            string temp = path + ".tmp-" + Environment.ProcessId;
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
        }
        return path;
    }

    // Keeps the few newest images: each is a few MB and a new guest program makes a new one.
    private static void PruneInitramfs()
    {
        foreach (var old in new DirectoryInfo(HostTools.CacheDirectory).GetFiles("initramfs-*").OrderByDescending(f => f.LastWriteTimeUtc).Skip(4))
        {
            try { old.Delete(); } catch (IOException) { }
        }
    }

    /// <summary>The NICs /init binds to vfio-pci: argument name for /regs-guest, and PCI vendor:device.</summary>
    public static readonly IReadOnlyList<(string Name, string Id)> Nics = new[] { ("igb", "8086:10c9"), ("virtio", "1af4:1041") };

    /// <summary>
    /// The guest's /init (busybox sh): mounts proc, sysfs, devtmpfs and hugetlbfs, reserves
    /// <paramref name="hugepages"/> 2 MiB pages, loads <paramref name="modules"/>, binds the
    /// <see cref="Nics"/> to vfio-pci, runs /regs-guest with their BDFs (--igb BDF --virtio BDF)
    /// and powers off. Its console lines start with "regs-init: ":
    /// start, hugepages N, modules ..., NIC name BDF group=G driver=D domain=T (or NIC name missing),
    /// iommu ..., vfio (ls -l /dev/vfio lines), run ..., EXIT code; then the kill cycles'
    /// lines (<see cref="KillCycles"/>).
    /// </summary>
    public static string InitScript(IReadOnlyList<string> modules, int hugepages)
    {
        var s = new StringBuilder();
        s.Append("#!/bin/sh\n");
        s.Append("# /init of the Regs VfioGuest harness (generated by GuestImage.InitScript).\n");
        s.Append("/bin/busybox --install -s\n");
        s.Append("export PATH=/bin:/sbin:/usr/bin:/usr/sbin\n");
        s.Append("mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev\n");
        s.Append("say() { echo \"regs-init: $*\"; }\n");
        s.Append("up() { cut -d' ' -f1 /proc/uptime; }\n");
        s.Append("say \"start uptime=$(up) kernel=$(uname -r) cmdline=$(cat /proc/cmdline)\"\n");
        s.Append("mkdir -p /dev/hugepages && mount -t hugetlbfs hugetlbfs /dev/hugepages\n");
        s.Append($"echo {hugepages} > /proc/sys/vm/nr_hugepages\n");
        s.Append("say \"hugepages $(cat /proc/sys/vm/nr_hugepages)\"\n");
        s.Append($"for m in {string.Join(' ', modules)}; do insmod /lib/modules/$m.ko || say \"FAIL insmod $m\"; done\n");
        s.Append("say \"modules $(cut -d' ' -f1 /proc/modules | tr '\\n' ' ')\"\n");
        s.Append("say \"iommu $(ls /sys/class/iommu 2>/dev/null | tr '\\n' ' ')groups=$(ls /sys/kernel/iommu_groups 2>/dev/null | wc -l)\"\n");
        s.Append("find_pci() { for d in /sys/bus/pci/devices/*; do [ \"$(cat $d/vendor):$(cat $d/device)\" = \"$1\" ] && { echo ${d##*/}; return; }; done; }\n");
        s.Append("bind_vfio() { d=/sys/bus/pci/devices/$1; [ -e $d/driver ] && echo $1 > $d/driver/unbind; echo vfio-pci > $d/driver_override; echo $1 > /sys/bus/pci/drivers_probe; }\n");
        s.Append("args=\"\"; bad=0; bdfs=\"\"\n");
        foreach (var (name, id) in Nics)
        {
            string[] parts = id.Split(':');
            s.Append($"bdf=$(find_pci 0x{parts[0]}:0x{parts[1]})\n");
            s.Append($"if [ -z \"$bdf\" ]; then say \"NIC {name} missing\"; bad=1; else\n");
            s.Append("  d=/sys/bus/pci/devices/$bdf; bind_vfio $bdf; bdfs=\"$bdfs $bdf\"\n");
            s.Append("  drv=$(readlink $d/driver); grp=$(readlink $d/iommu_group); grp=${grp##*/}\n");
            s.Append($"  say \"NIC {name} $bdf group=${{grp:-none}} driver=${{drv##*/}} domain=$(cat /sys/kernel/iommu_groups/$grp/type 2>/dev/null)\"\n");
            s.Append("  [ \"${drv##*/}\" = vfio-pci ] || bad=1\n");
            s.Append($"  args=\"$args --{name} $bdf\"\n");
            s.Append("fi\n");
        }
        s.Append("ls -l /dev/vfio 2>&1 | while read -r line; do say \"vfio $line\"; done\n");
        s.Append("[ $bad = 0 ] || dmesg | grep -i -E 'vfio|dmar|iommu|pci' | tail -n 40 | while read -r line; do say \"dmesg $line\"; done\n");
        s.Append("say \"run /regs-guest$args uptime=$(up)\"\n");
        s.Append("/regs-guest $args\n");
        s.Append("say \"EXIT $? uptime=$(up)\"\n");
        s.Append(KillCycles);
        s.Append("poweroff -f\n");
        s.Append("sleep 10\n");
        return s.ToString();
    }

    /// <summary>The kill cycles /init runs after the main checks (see <see cref="KillCycles"/>): label, route, the NIC killed with SIGKILL, the one stopped with SIGTERM.</summary>
    public static readonly IReadOnlyList<(string Label, string Route, string Killed, string Terminated)> KillCycleRuns = new[]
    {
        // The main run ended on the raw route, so the NICs are unbound: the raw cycle first, then back to vfio-pci.
        ("raw-killed", "raw", "igb", "virtio"),
        ("vfio-igb-killed", "vfio", "igb", "virtio"),
        ("vfio-virtio-killed", "vfio", "virtio", "igb"),
    };

    /// <summary>
    /// The part of /init after the main run. kill_cycle LABEL ROUTE VICTIM SURVIVOR: VICTIM and
    /// SURVIVOR stream to each other from two processes (/regs-guest --stream); once both report
    /// traffic both ways, VICTIM gets SIGKILL while SURVIVOR keeps sending to VICTIM's NIC for
    /// 0.5 s, then SURVIVOR gets SIGTERM; then /regs-guest --after-kill must open both NICs again
    /// on the same route and pass its checks. Lines: "killed LABEL VICTIM=SIGKILL status=S
    /// SURVIVOR=SIGTERM status=S streams=N waited=T", "AFTER-KILL LABEL EXIT code uptime=U".
    /// </summary>
    private static string KillCycles
    {
        get
        {
            var s = new StringBuilder();
            s.Append("kill_cycle() {\n");
            s.Append("  rm -f /tmp/regs-stream-*; faults=$(dmesg | grep DMAR | grep -ci fault); t0=$(up)\n");
            s.Append("  /regs-guest --stream $3 --route $2 $args & victim=$!\n");
            s.Append("  /regs-guest --stream $4 --route $2 $args & survivor=$!\n");
            s.Append("  n=0; while [ $n -lt 300 ] && { [ ! -e /tmp/regs-stream-$3 ] || [ ! -e /tmp/regs-stream-$4 ]; }; do sleep 0.1; n=$((n+1)); done\n");
            s.Append("  streams=$(ls /tmp/regs-stream-* 2>/dev/null | wc -l); sleep 0.3\n");
            s.Append("  kill -KILL $victim; wait $victim; vs=$?; sleep 0.5\n");
            s.Append("  kill -TERM $survivor; wait $survivor; ss=$?\n");
            s.Append("  say \"killed $1 $3=SIGKILL status=$vs $4=SIGTERM status=$ss streams=$streams started=$t0 killed=$(up)\"\n");
            s.Append("  /regs-guest --after-kill $1 --route $2 --dmar-before $faults $args\n");
            s.Append("  say \"AFTER-KILL $1 EXIT $? uptime=$(up)\"\n");
            s.Append("}\n");
            bool bound = false;
            foreach (var (label, route, killed, terminated) in KillCycleRuns)
            {
                if (route == "vfio" && !bound)
                {
                    s.Append("for b in $bdfs; do bind_vfio $b; done; say \"rebound$bdfs to vfio-pci\"\n");
                    bound = true;
                }
                s.Append($"kill_cycle {label} {route} {killed} {terminated}\n");
            }
            return s.ToString();
        }
    }

    private static void DeleteDirectory(string path)
    {
        if (System.IO.Directory.Exists(path)) System.IO.Directory.Delete(path, recursive: true);
    }
}
