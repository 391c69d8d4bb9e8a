using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
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

    /// <summary>
    /// The modules of the traffic phase (<see cref="TrafficPhase"/>), loaded after the VFIO checks:
    /// tun (the Regs TAP bridge), Linux's own igb and virtio-net drivers (the reference), with their
    /// dependencies. Each must be a module or built in (modules.builtin); Debian's 6.1 builds all as modules.
    /// </summary>
    public static readonly IReadOnlyList<string> TrafficModules = new[] { "tun", "igb", "virtio_pci", "virtio_net", "pktgen" };

    // image-v2: the traffic modules (traffic-modules.order) joined the VFIO ones; v3: pktgen.
    private const string Layout = "image-v3";

    private GuestImage(string directory, string kernelVersion, string kernelPath, IReadOnlyList<string> modules, IReadOnlyList<string> trafficModules, bool fromCache, TimeSpan download, TimeSpan extract)
    {
        Directory = directory;
        KernelVersion = kernelVersion;
        KernelPath = kernelPath;
        ModuleNames = modules;
        TrafficModuleNames = trafficModules;
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
    /// <summary>The traffic phase's modules (<see cref="TrafficModules"/> and what they depend on, less the VFIO ones) in insmod order.</summary>
    public IReadOnlyList<string> TrafficModuleNames { get; }
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

            var (order, traffic) = ResolveModules(moduleRoot, Path.Combine(staging, "modules"));
            File.WriteAllLines(Path.Combine(staging, "modules.order"), order);
            File.WriteAllLines(Path.Combine(staging, "traffic-modules.order"), traffic);
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
        log($"guest image: kernel {image.KernelVersion} ({Path.GetFileName(image.KernelPath)}), modules {string.Join(' ', image.ModuleNames)}, traffic modules {string.Join(' ', image.TrafficModuleNames)}, extracted in {extract.TotalSeconds:F1} s");
        return image;
    }

    private static GuestImage? TryLoad(string dir, bool fromCache = true, TimeSpan download = default, TimeSpan extract = default)
    {
        string versionFile = Path.Combine(dir, "version");
        if (!File.Exists(versionFile) || !File.Exists(Path.Combine(dir, "busybox"))) return null;
        string kernel = Path.Combine(dir, "vmlinux");
        if (!File.Exists(kernel)) kernel = Path.Combine(dir, "vmlinuz");
        if (!File.Exists(kernel)) return null;
        string trafficFile = Path.Combine(dir, "traffic-modules.order");
        if (!File.Exists(trafficFile)) return null;
        var modules = File.ReadAllLines(Path.Combine(dir, "modules.order")).Where(l => l.Length != 0).ToList();
        var traffic = File.ReadAllLines(trafficFile).Where(l => l.Length != 0).ToList();
        if (modules.Concat(traffic).Any(m => !File.Exists(Path.Combine(dir, "modules", m + ".ko")))) return null;
        return new GuestImage(dir, File.ReadAllText(versionFile).Trim(), kernel, modules, traffic, fromCache, download, extract);
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
    // "depends=" entry) into target, decompressing .ko.xz; returns the names in load order: the
    // VFIO ones, then the traffic phase's (less what the VFIO ones already loaded).
    private static (List<string> Vfio, List<string> Traffic) ResolveModules(string moduleRoot, string target)
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
        int vfio = order.Count;
        var builtin = BuiltinModules(moduleRoot);
        foreach (string wanted in TrafficModules)
        {
            if (files.ContainsKey(wanted)) Visit(wanted);
            else if (!builtin.Contains(wanted)) throw new InvalidOperationException($"the kernel in {moduleRoot} has no {wanted} module and does not build it in (modules.builtin): the traffic phase needs it");
        }
        return (order.Take(vfio).ToList(), order.Skip(vfio).ToList());
    }

    // modules.builtin lists the built-in modules as kernel/PATH/NAME.ko, one a line.
    private static HashSet<string> BuiltinModules(string moduleRoot)
    {
        string list = Path.Combine(moduleRoot, "modules.builtin");
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (!File.Exists(list)) return names;
        foreach (string line in File.ReadAllLines(list))
        {
            string name = Path.GetFileName(line.Trim());
            if (name.EndsWith(".ko", StringComparison.Ordinal)) names.Add(name[..^3].Replace('-', '_'));
        }
        return names;
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
            foreach (string module in ModuleNames.Concat(TrafficModuleNames))
                cpio.AddFile($"lib/modules/{module}.ko", File.ReadAllBytes(Path.Combine(Directory, "modules", module + ".ko")));
            cpio.AddExecutable("init", Encoding.UTF8.GetBytes(InitScript(ModuleNames, hugepages, TrafficModuleNames)));
            cpio.AddExecutable("udhcpc.script", Encoding.UTF8.GetBytes(DhcpScript));
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
    /// lines (<see cref="KillCycles"/>); then the traffic phase's (<see cref="TrafficPhase"/>,
    /// loading <paramref name="trafficModules"/>).
    /// </summary>
    public static string InitScript(IReadOnlyList<string> modules, int hugepages, IReadOnlyList<string> trafficModules)
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
            s.Append($"  args=\"$args --{name} $bdf\"; bdf_{name}=$bdf\n");
            s.Append("fi\n");
        }
        s.Append("ls -l /dev/vfio 2>&1 | while read -r line; do say \"vfio $line\"; done\n");
        s.Append("[ $bad = 0 ] || dmesg | grep -i -E 'vfio|dmar|iommu|pci' | tail -n 40 | while read -r line; do say \"dmesg $line\"; done\n");
        s.Append("say \"run /regs-guest$args uptime=$(up)\"\n");
        s.Append("/regs-guest $args\n");
        s.Append("say \"EXIT $? uptime=$(up)\"\n");
        s.Append(KillCycles);
        s.Append(TrafficPhase(trafficModules));
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

    /// <summary>
    /// The traffic phase's runs, in order: label, whose driver ("regs": the Regs driver over VFIO
    /// exposed as a TAP interface by `/regs-demo tap`; "linux": the kernel's own driver after a
    /// rebind), which NIC (<see cref="Nics"/>) and the TAP interface's name for the Regs runs. The
    /// Regs runs come first (the kill cycles left both NICs on vfio-pci); the Linux runs then take
    /// the devices from vfio-pci for good, Linux's igb last: the run before it sends the server
    /// <see cref="LinuxDriversMark"/>, after which QEMU's igb warnings are about Linux's driver.
    /// The last element is the Regs runs' `regs-demo tap` options: interrupt-driven (the combined
    /// poll on the tap and the MSI-X eventfds), polling, and igb with its offloads on (transmit
    /// checksum, TSO, receive checksum; QEMU's virtio-net on a hub offers none: no vnet headers).
    /// </summary>
    public static readonly IReadOnlyList<(string Label, string Driver, string Nic, string Interface, string TapOptions)> TrafficRuns = new[]
    {
        ("regs-igb", "regs", "igb", "regs0", "--interrupts"),
        ("regs-igb-offloads", "regs", "igb", "regs2", "--interrupts --offloads all"),
        ("regs-igb-poll", "regs", "igb", "regs3", ""),
        ("regs-virtio", "regs", "virtio", "regs1", "--interrupts"),
        ("regs-virtio-poll", "regs", "virtio", "regs4", ""),
        ("linux-virtio", "linux", "virtio", "", ""),
        ("linux-igb", "linux", "igb", "", ""),
    };

    /// <summary>Frames of each direction of the 64-byte frame rate (the issue's burst of 100,000; tests/Regs.VfioGuest/FrameRate.cs sends as many).</summary>
    public const int FrameRateFrames = 100_000;

    /// <summary>Bytes of each download and upload of the traffic phase (32 MiB, as the issue asks).</summary>
    public const int TransferBytes = 32 << 20;

    /// <summary>Bytes of the guest's payload for the host's connection through hostfwd (after a first line naming the run).</summary>
    public const int ForwardPayloadBytes = 1 << 20;

    /// <summary>
    /// The mark the guest sends the host's server (GET /mark/NAME) before Linux's own igb driver
    /// takes the igb NIC (through the interface of the run before, as none is up between runs):
    /// QEMU's igb warnings logged after it are about Linux's igb, not about Regs.
    /// </summary>
    public const string LinuxDriversMark = "linux-drivers";

    /// <summary>The guest port the host's connection through hostfwd reaches (busybox nc -l).</summary>
    public const int GuestForwardPort = 8080;

    /// <summary>The kernel command line parameter that carries the host HTTP server's port (slirp's 10.0.2.2:PORT is the host's 127.0.0.1:PORT).</summary>
    public const string HttpPortParameter = "regs.http";

    /// <summary>
    /// busybox udhcpc's script (/udhcpc.script): on a lease, the address with its prefix and the
    /// default route through slirp's gateway 10.0.2.2; on deconfig, no address.
    /// </summary>
    public const string DhcpScript = """
        #!/bin/sh
        # udhcpc -s script of the Regs VfioGuest harness (GuestImage.DhcpScript).
        case "$1" in
          deconfig) ip -4 addr flush dev "$interface"; ip link set "$interface" up ;;
          bound|renew)
            ip -4 addr flush dev "$interface"
            ip addr add "$ip/${mask:-24}" dev "$interface"
            ip route replace default via 10.0.2.2 dev "$interface" ;;
        esac
        exit 0

        """;

    /// <summary>
    /// The part of /init after the kill cycles, when the kernel command line carries
    /// regs.http=PORT (<see cref="HttpPortParameter"/>): loads <paramref name="modules"/> (tun,
    /// Linux's igb and virtio-net), makes one random 32 MiB upload file, then for each of
    /// <see cref="TrafficRuns"/> brings one interface up (the others down: one default route at a
    /// time), takes an address from slirp's DHCP, pings 10.0.2.2, downloads 32 MiB from and uploads
    /// 32 MiB to the host's server (TrafficServer) through 10.0.2.2:PORT, and serves one
    /// connection from the host through hostfwd (busybox nc -l on <see cref="GuestForwardPort"/>;
    /// it tells the server its address so the server knows which forward reaches it). Lines:
    /// "traffic start", "traffic upload-file bytes=N sha256=H", then per run "traffic LABEL
    /// interface if= mac= driver=", "dhcp status= addr=", "ping N packets transmitted, M packets
    /// received, ...", "download status= bytes= seconds= rate= sha256=", "upload ...", "hostfwd
    /// status= bytes= sha256=", "done"; "traffic LABEL FAIL reason" when a run cannot start;
    /// "traffic end". Times come from /proc/uptime (10 ms).
    /// </summary>
    private static string TrafficPhase(IReadOnlyList<string> modules)
    {
        var s = new StringBuilder();
        s.Append(TrafficFunctions.Replace("@MODULES@", string.Join(' ', modules))
            .Replace("@PARAM@", HttpPortParameter.Replace(".", "\\."))
            .Replace("@BYTES@", TransferBytes.ToString(CultureInfo.InvariantCulture))
            .Replace("@FWDBYTES@", ForwardPayloadBytes.ToString(CultureInfo.InvariantCulture))
            .Replace("@FWDPORT@", GuestForwardPort.ToString(CultureInfo.InvariantCulture)));
        // The run before Linux's igb sends the mark through its interface (none is up between runs).
        int linuxIgb = TrafficRuns.ToList().FindIndex(r => r.Driver == "linux" && r.Nic == "igb");
        for (int i = 0; i < TrafficRuns.Count; i++)
        {
            var (label, driver, nic, tap, options) = TrafficRuns[i];
            string mark = i + 1 == linuxIgb ? LinuxDriversMark : "";
            s.Append(driver == "regs" ? $"  regs_run {label} $bdf_{nic} {tap} '{mark}' '{options}'\n" : $"  linux_run {label} $bdf_{nic} {mark}\n");
        }
        // Both NICs are on Linux's drivers now: pktgen's 64-byte frame rate each way (FrameRate.cs is Regs' side).
        s.Append($"  linux_rate igb-to-virtio $bdf_igb $bdf_virtio {FrameRateFrames}\n");
        s.Append($"  linux_rate virtio-to-igb $bdf_virtio $bdf_igb {FrameRateFrames}\n");
        s.Append("  say \"traffic end uptime=$(up)\"\n");
        s.Append("fi\n");
        return s.ToString();
    }

    private const string TrafficFunctions = """
        # Traffic phase (GuestImage.TrafficPhase).
        port=$(sed -n 's/.*@PARAM@=\([0-9][0-9]*\).*/\1/p' /proc/cmdline)
        if [ -z "$port" ]; then say "traffic skipped: no @PARAM@=PORT on the kernel command line"; else
          say "traffic start uptime=$(up) port=$port"
          for m in @MODULES@; do insmod /lib/modules/$m.ko || say "traffic FAIL insmod $m"; done
          say "traffic modules $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
          gw=10.0.2.2; base=http://$gw:$port
          span() { awk -v a=$1 -v b=$2 'BEGIN { printf "%.2f", b - a }'; }
          rate() { awk -v n=$1 -v s=$2 'BEGIN { if (s > 0) printf "%.2f", n / s / 1000000; else print "inf" }'; }
          size() { if [ -e "$1" ]; then wc -c < "$1" | tr -d ' '; else echo 0; fi; }
          hash() { if [ -e "$1" ]; then sha256sum "$1" | cut -d' ' -f1; else echo none; fi; }
          # The interface a PCI function's driver made (igb: BDF/net/IF; virtio_net: BDF/virtioN/net/IF).
          # mark NAME: tells the host's server where the traffic phase is (it notes how far QEMU's warning log has grown).
          mark() { timeout 30 wget -q -O /tmp/reply $base/mark/$1; say "traffic mark $1 status=$?"; }
          netif_of() { for n in /sys/class/net/*; do case "$(readlink -f $n)" in */$1/*) echo ${n##*/}; return;; esac; done; }
          # busybox wget --post-file sends the file as a C string (its length is strlen's): random bytes with every NUL made 1.
          t0=$(up); head -c @BYTES@ /dev/urandom | tr '\000' '\001' > /tmp/upload; t1=$(up); upsha=$(hash /tmp/upload)
          say "traffic upload-file bytes=$(size /tmp/upload) sha256=$upsha made=$(span $t0 $t1) hashed=$(span $t1 $(up))"
          # traffic_run LABEL IF [MARK]: the transfers over IF; with MARK, GET /mark/MARK through IF before it goes down.
          traffic_run() {
            label=$1; ifc=$2
            drv=$(readlink /sys/class/net/$ifc/device/driver); drv=${drv##*/}
            [ -e /sys/class/net/$ifc/tun_flags ] && drv=tun
            ip link set $ifc up
            say "traffic $label interface if=$ifc mac=$(cat /sys/class/net/$ifc/address) driver=${drv:-none} uptime=$(up)"
            t0=$(up); timeout 40 udhcpc -i $ifc -n -q -t 5 -T 3 -s /udhcpc.script > /tmp/udhcpc.log 2>&1; st=$?
            addr=$(ip -4 -o addr show dev $ifc | awk '{ split($4, a, "/"); print a[1]; exit }')
            say "traffic $label dhcp status=$st addr=${addr:-none} seconds=$(span $t0 $(up)) route=$(ip route show default | tr -s ' ' | tr ' ' '_')"
            [ $st = 0 ] || while read -r line; do say "traffic $label udhcpc: $line"; done < /tmp/udhcpc.log
            say "traffic $label ping $(timeout 30 ping -c 3 -W 5 $gw 2>&1 | grep 'packets transmitted')"
            t0=$(up); timeout 300 wget -q -O /tmp/download $base/download/$label; st=$?; t1=$(up)
            n=$(size /tmp/download); sec=$(span $t0 $t1)
            say "traffic $label download status=$st bytes=$n seconds=$sec rate=$(rate $n $sec)MB/s sha256=$(hash /tmp/download)"
            rm -f /tmp/download /tmp/reply
            t0=$(up); timeout 300 wget -q -O /tmp/reply --post-file /tmp/upload $base/upload/$label; st=$?; t1=$(up)
            n=$(size /tmp/upload); sec=$(span $t0 $t1)
            say "traffic $label upload status=$st bytes=$n seconds=$sec rate=$(rate $n $sec)MB/s sha256=$upsha reply=$(grep '^sha256=' /tmp/reply | tr -c '0-9a-z=' '_')"
            { echo "regs hostfwd $label"; head -c @FWDBYTES@ /dev/urandom; } > /tmp/forward
            timeout 60 nc -l -p @FWDPORT@ < /tmp/forward & ncpid=$!
            sleep 0.2
            timeout 30 wget -q -O /tmp/reply $base/hostfwd/$label/${addr:-none}; ws=$?
            wait $ncpid; st=$?
            say "traffic $label hostfwd status=$st notified=$ws bytes=$(size /tmp/forward) sha256=$(hash /tmp/forward)"
            [ -z "$3" ] || mark $3
            ip link set $ifc down; ip -4 addr flush dev $ifc
            say "traffic $label done uptime=$(up)"
          }
          # regs_run LABEL BDF IF MARK OPTIONS: the Regs driver behind the TAP interface IF (regs-demo tap OPTIONS).
          regs_run() {
            /regs-demo tap --backend vfio --device $2 --name $3 --up $5 > /tmp/tap-$1.log 2>&1 & tap=$!
            # Ready: its line "tap IF up|down mac=... ..." (drivers/Regs.Demo/TapMode.cs).
            n=0; while [ $n -lt 300 ] && ! grep -q "^tap $3 [updown]* " /tmp/tap-$1.log && kill -0 $tap 2>/dev/null; do sleep 0.1; n=$((n+1)); done
            ready=$(grep -m 1 "^tap $3 [updown]* " /tmp/tap-$1.log)
            if [ -n "$ready" ] && [ -e /sys/class/net/$3 ]; then say "traffic $1 ready $ready"; traffic_run $1 $3 $4
            else say "traffic $1 FAIL no interface $3 from /regs-demo tap (waited $n x 0.1 s)"; fi
            kill -TERM $tap 2>/dev/null
            n=0; while [ $n -lt 100 ] && kill -0 $tap 2>/dev/null; do sleep 0.1; n=$((n+1)); done
            kill -KILL $tap 2>/dev/null; wait $tap; st=$?
            say "traffic $1 tap-exit status=$st"
            head -n 40 /tmp/tap-$1.log | while read -r line; do say "traffic $1 demo: $line"; done
          }
          # linux_rate LABEL FROM_BDF TO_BDF N: pktgen (in the kernel, no socket) sends N frames of 60
          # bytes (64 with the FCS) from FROM's interface to TO's MAC, 32 per doorbell (burst: the
          # driver's xmit_more batching, as Regs sends batches of 32); TO's rx_packets counts them
          # and any other frame it took (igb refreshes its counters every 2 s: read after 2.5 s). Line "RATE linux LABEL sent= received= lost= seconds= fps=".
          linux_rate() {
            src=$(netif_of $2); dst=$(netif_of $3); pg=/proc/net/pktgen
            if [ -z "$src" ] || [ -z "$dst" ] || [ ! -e $pg/pgctrl ]; then say "RATE linux $1 FAIL interfaces '$src' '$dst' pktgen $(ls $pg 2>&1 | tr '\n' ' ')"; return; fi
            ip link set $src up; ip link set $dst up; sleep 3
            echo rem_device_all > $pg/kpktgend_0; echo "add_device $src" > $pg/kpktgend_0
            for c in "count $4" "pkt_size 60" "delay 0" "burst 32" "dst 10.0.2.99" "dst_mac $(cat /sys/class/net/$dst/address)"; do echo "$c" > $pg/$src; done
            before=$(cat /sys/class/net/$dst/statistics/rx_packets); t0=$(up)
            echo start > $pg/pgctrl; t1=$(up); sleep 2.5
            got=$(( $(cat /sys/class/net/$dst/statistics/rx_packets) - before ))
            sent=$(sed -n 's/.*Result: OK: .* \([0-9][0-9]*\) (60byte.*/\1/p' $pg/$src)
            sec=$(span $t0 $t1)
            say "RATE linux $1 sent=${sent:-0} received=$got lost=$(( ${sent:-0} > got ? ${sent:-0} - got : 0 )) seconds=$sec fps=$(awk -v n=$got -v s=$sec 'BEGIN { if (s > 0) printf "%.0f", n / s; else print 0 }') pktgen=$(grep -o '[0-9]*pps' $pg/$src | head -n 1)"
            echo rem_device_all > $pg/kpktgend_0; ip link set $src down; ip link set $dst down
          }
          # linux_run LABEL BDF [MARK]: the kernel's own driver (rebind from vfio-pci, driver_override cleared).
          linux_run() {
            d=/sys/bus/pci/devices/$2
            [ -e $d/driver ] && echo $2 > $d/driver/unbind
            echo > $d/driver_override; echo $2 > /sys/bus/pci/drivers_probe
            n=0; ifc=""; while [ $n -lt 300 ]; do ifc=$(netif_of $2); [ -n "$ifc" ] && break; sleep 0.1; n=$((n+1)); done
            if [ -n "$ifc" ]; then traffic_run $1 $ifc $3; else drv=$(readlink $d/driver); say "traffic $1 FAIL no interface for $2 (driver ${drv##*/})"; fi
          }

        """;

    private static void DeleteDirectory(string path)
    {
        if (System.IO.Directory.Exists(path)) System.IO.Directory.Delete(path, recursive: true);
    }
}
