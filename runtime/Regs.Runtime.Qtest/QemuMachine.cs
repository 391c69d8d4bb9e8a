using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using Regs.Runtime.Hosted;
using Regs.Runtime.Pci;

namespace Regs.Runtime.Qtest;

/// <summary>
/// One QEMU process whose device models this process drives over qtest, with no guest OS: the
/// BIOS is 64 KiB of hlt so the vCPU halts at the reset vector and no firmware touches devices,
/// while device models and timers run in real time (TCG). Guest RAM is a /dev/shm file mapped
/// here as well, so DMA buffers are real guest memory. Every wait is bounded; a QEMU that dies
/// is reported with its stderr. QEMU logs its warnings about the driver to <see cref="Log"/>.
/// Dispose stops QEMU and frees everything.
/// </summary>
public sealed unsafe class QemuMachine : IDisposable
{
    /// <summary>DMA buffers come from guest RAM above this address (below is left to the machine: BIOS areas, tables).</summary>
    public const ulong DmaStart = 16 * 1024 * 1024;

    /// <summary>Size of the per-machine native arena behind <see cref="QtestHost.AllocatePrivate"/>.</summary>
    public const int PrivateArenaBytes = 16 * 1024 * 1024;

    private static int _counter;

    private readonly Process? _process;
    private readonly StringBuilder _stderr = new();
    private readonly string _workDir;
    private readonly PciBarAllocator _bars = new();
    private readonly Dictionary<int, QtestPciFunction> _functions = new();
    private readonly void* _privateBlock;
    private readonly bool _ownsLog;
    private QtestConnection? _connection;
    private QmpMonitor? _qmp;
    private bool _disposed;

    /// <summary>
    /// Starts QEMU as <paramref name="options"/> say and connects to it. Throws
    /// <see cref="QemuUnavailableException"/> when QEMU is missing or too old, and
    /// <see cref="QemuException"/> when it does not come up (with its stderr).
    /// </summary>
    public QemuMachine(QemuOptions options)
    {
        Options = options;
        var (qemu, version) = QemuBinary.Locate();
        Version = version;
        if (options.MemoryMiB < 32) throw new ArgumentException("at least 32 MiB of guest RAM", nameof(options));
        ValidateNics(options);

        var clock = Stopwatch.StartNew();
        string tag = $"regs-qtest-{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}";
        _workDir = Path.Combine(Path.GetTempPath(), tag);
        Directory.CreateDirectory(_workDir);
        string bios = Path.Combine(_workDir, "hlt.bin");
        string qtestSocket = Path.Combine(_workDir, "qtest.sock");
        string qmpSocket = Path.Combine(_workDir, "qmp.sock");
        string? logPath = options.LogPath ?? (Environment.GetEnvironmentVariable(QemuLog.PathVariable) is { Length: > 0 } set ? set : null);
        _ownsLog = logPath is null;
        Log = new QemuLog(logPath ?? Path.Combine(Path.GetTempPath(), tag + ".log"));
        Directory.CreateDirectory(Path.GetDirectoryName(Log.Path)!);
        // A fresh file: a warning in it comes from this machine.
        File.Delete(Log.Path);
        // 64 KiB of hlt: the reset vector (0xFFFFFFF0) is in it, so the vCPU halts at once.
        var hlt = new byte[64 * 1024];
        Array.Fill(hlt, (byte)0xF4);
        File.WriteAllBytes(bios, hlt);

        _privateBlock = NativeMemory.AlignedAlloc(PrivateArenaBytes, 4096);
        PrivateMemory = new DmaArena((byte*)_privateBlock, (ulong)_privateBlock, PrivateArenaBytes);

        Socket? qtestListener = null, qmpListener = null;
        try
        {
            Memory = new GuestMemory(Path.Combine("/dev/shm", tag), (long)options.MemoryMiB << 20);
            Dma = new DmaArena(Memory.Base + DmaStart, DmaStart, (nuint)(Memory.Length - (long)DmaStart));

            // QEMU is the client of both sockets: listening first means no retry loop and no race.
            qtestListener = Listen(qtestSocket);
            qmpListener = Listen(qmpSocket);

            var arguments = BuildArguments(options, bios, Memory.Path, qtestSocket, qmpSocket, Log.Path);
            CommandLine = qemu + " " + string.Join(' ', arguments);
            _process = StartWithWatchdog(qemu, arguments);

            var deadline = DateTime.UtcNow + options.Timeout;
            var qtest = Accept(qtestListener, deadline, "qtest");
            var qmp = Accept(qmpListener, deadline, "QMP");
            _connection = new QtestConnection(qtest, options.Timeout, DescribeFailure);
            _qmp = new QmpMonitor(qmp, options.Timeout, DescribeFailure);
            // Both sides have mapped RAM and read the BIOS: unlinking now means nothing is left
            // behind even if this process is killed.
            Cleanup();

            // The IOAPIC's inputs become "IRQ raise/lower N" lines with N = GSI.
            _connection.InterceptIrqIn("ioapic");
            StartupTime = clock.Elapsed;
        }
        catch
        {
            Dispose();
            throw;
        }
        finally
        {
            qtestListener?.Dispose();
            qmpListener?.Dispose();
        }
    }

    /// <summary>The options the machine was started with.</summary>
    public QemuOptions Options { get; }
    /// <summary>The QEMU version found.</summary>
    public Version Version { get; }
    /// <summary>The QEMU command line (for diagnostics).</summary>
    public string CommandLine { get; } = "";
    /// <summary>From the constructor's start to QEMU connected and interrupts intercepted.</summary>
    public TimeSpan StartupTime { get; }
    /// <summary>The qtest connection: memory, port and interrupt-line access.</summary>
    public QtestConnection Connection => _connection ?? throw new ObjectDisposedException(nameof(QemuMachine));
    /// <summary>The QMP monitor.</summary>
    public QmpMonitor Qmp => _qmp ?? throw new ObjectDisposedException(nameof(QemuMachine));
    /// <summary>Guest RAM, mapped in this process.</summary>
    public GuestMemory Memory { get; } = null!;
    /// <summary>DMA buffers: guest RAM from <see cref="DmaStart"/> to its end; device address = guest-physical address.</summary>
    public DmaArena Dma { get; } = null!;
    /// <summary>Native memory for drivers' private bookkeeping (never visible to devices).</summary>
    public DmaArena PrivateMemory { get; }
    /// <summary>
    /// QEMU's warnings about what the driver did (<c>-d guest_errors,unimp</c> and the igb/e1000e
    /// warning trace events): read on demand while QEMU runs, final once the machine is disposed.
    /// </summary>
    public QemuLog Log { get; } = null!;
    /// <summary>What QEMU wrote to stderr and stdout so far.</summary>
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>Runs one HMP command (<c>set_link n0 off</c>, <c>info network</c>) and returns its output.</summary>
    public string Monitor(string command) => Qmp.Human(command);

    /// <summary>The netdev id of NIC <paramref name="nic"/> (what <c>set_link</c> takes).</summary>
    public static string NetdevId(int nic) => $"n{nic}";

    /// <summary>Sets the link of NIC <paramref name="nic"/>'s netdev up or down (the NIC sees carrier change).</summary>
    public void SetLink(int nic, bool up)
    {
        string output = Monitor($"set_link {NetdevId(nic)} {(up ? "on" : "off")}");
        if (output.Trim().Length != 0) throw new QemuException($"set_link {NetdevId(nic)}: {output.Trim()}");
    }

    /// <summary>The frames captured so far for NIC <paramref name="nic"/> (its <see cref="QemuNic.CapturePath"/> must be set).</summary>
    public IReadOnlyList<PcapFrame> CapturedFrames(int nic)
        => PcapFile.Read(Options.Nics[nic].CapturePath ?? throw new InvalidOperationException($"NIC {nic} has no capture file"));

    /// <summary>
    /// Bus 0 <paramref name="device"/>/<paramref name="function"/> with its BARs sized and assigned like
    /// firmware would and Memory Space enabled (once; later calls return the same answer). Bus
    /// Master stays off: enabling DMA is the driver's job.
    /// </summary>
    public QtestPciFunction PciFunction(int device, int function = 0)
    {
        if (Options.Machine != QemuMachineKind.Q35) throw new InvalidOperationException("PCI functions exist on q35 only");
        int devfn = (device << 3) | function;
        lock (_functions)
        {
            if (_functions.TryGetValue(devfn, out var known)) return known;
            var config = QtestAccess.PciConfig(Connection, device, function);
            var header = new PciConfig<QtestAccess>(config);
            ushort vendor = header.VendorID.Read().Bits;
            if (vendor == PciConfig.NoVendor) throw new InvalidOperationException($"no PCI function at 00:{device:x2}.{function}");
            ushort deviceId = header.DeviceID.Read().Bits;
            int pin = header.InterruptPin.Read().Bits;
            var bars = _bars.Assign(config);
            int gsi = QtestPciFunction.Q35Gsi(device, pin);
            // Firmware writes the routing it chose into Interrupt Line; drivers may print it.
            if (gsi >= 0) header.InterruptLine.Write(new U8((byte)gsi));
            var created = new QtestPciFunction(device, function, config, vendor, deviceId, pin, gsi, bars);
            _functions[devfn] = created;
            return created;
        }
    }

    /// <summary>A driver host for bus 0 <paramref name="device"/>/<paramref name="function"/> (BARs assigned on first use).</summary>
    public QtestHost PciHost(int device, int function = 0, string? name = null)
    {
        var pci = PciFunction(device, function);
        QtestAccess bar0 = pci.TryGetBar(0, out var bar) && !bar.IsIo ? QtestAccess.Mmio(Connection, bar.Address) : default;
        return new QtestHost(this, name ?? $"{Options.Name} 00:{device:x2}.{function}", pci.Gsi, pci, bar0);
    }

    /// <summary>
    /// A driver host for NIC <paramref name="nic"/> of the options: its PCI function on q35, its
    /// virtio-mmio transport on microvm (the NICs take the transports holding a device in order of
    /// <see cref="VirtioMmioSlots"/>, which is the reverse of the NIC order on the command line
    /// in QEMU 10, so this maps them by MAC address).
    /// </summary>
    public QtestHost NicHost(int nic, string? name = null)
    {
        var spec = Options.Nics[nic];
        name ??= $"{Options.Name} nic{nic}";
        if (spec.Model != QemuNicModel.VirtioNetDevice) return PciHost(SlotOf(Options, nic), 0, name);

        byte[] mac = ParseMac(spec.Mac);
        foreach (var slot in VirtioMmioSlots())
        {
            if (slot.DeviceId != 1) continue;
            // virtio-net's device configuration starts with the MAC at slot offset 0x100.
            bool same = true;
            for (int i = 0; i < 6 && same; i++) same = slot.Registers.Read8((nuint)(0x100 + i)) == mac[i];
            if (same) return VirtioMmioHost(slot, name);
        }
        throw new InvalidOperationException($"no virtio-mmio slot holds NIC {nic} ({spec.Mac})");
    }

    /// <summary>
    /// The microvm virtio-mmio slots that hold a device (MagicValue "virt", DeviceID not 0),
    /// by index. microvm with ioapic2=off (as started here) has 8 slots from 0xFEB00000,
    /// 512 bytes apart, slot i interrupting on GSI 16 + i (hw/i386/microvm.c).
    /// </summary>
    public IReadOnlyList<VirtioMmioSlot> VirtioMmioSlots()
    {
        if (Options.Machine != QemuMachineKind.Microvm) return Array.Empty<VirtioMmioSlot>();
        var found = new List<VirtioMmioSlot>();
        for (int i = 0; i < MicrovmSlots; i++)
        {
            ulong address = VirtioMmioSlot.FirstBase + (ulong)i * VirtioMmioSlot.Stride;
            var registers = QtestAccess.Mmio(Connection, address);
            if (registers.Read32(0x000) != VirtioMmioSlot.Magic) continue;
            uint deviceId = registers.Read32(0x008);
            if (deviceId == 0) continue;
            found.Add(new VirtioMmioSlot(i, address, MicrovmFirstGsi + i, registers.Read32(0x004), deviceId, registers));
        }
        return found;
    }

    /// <summary>A driver host for a virtio-mmio slot found by <see cref="VirtioMmioSlots"/>.</summary>
    public QtestHost VirtioMmioHost(VirtioMmioSlot slot, string? name = null)
        => new(this, name ?? $"{Options.Name} virtio-mmio{slot.Index}", slot.Gsi, null, slot.Registers);

    /// <summary>Number of virtio-mmio slots microvm creates with one IOAPIC and ACPI on.</summary>
    public const int MicrovmSlots = 8;
    /// <summary>GSI of slot 0 with one IOAPIC and ACPI on (virtio_irq_base = 16).</summary>
    public const int MicrovmFirstGsi = 16;

    /// <summary>The q35 PCI slot NIC <paramref name="nic"/> gets: its own or 2 + its index.</summary>
    public static int SlotOf(QemuOptions options, int nic) => options.Nics[nic].Slot ?? 2 + nic;

    private static void ValidateNics(QemuOptions options)
    {
        var slots = new HashSet<int>();
        for (int i = 0; i < options.Nics.Count; i++)
        {
            var nic = options.Nics[i];
            ParseMac(nic.Mac);
            bool pci = nic.Model != QemuNicModel.VirtioNetDevice;
            if (nic.Netdev == QemuNetdevKind.VhostUser && nic.CapturePath is not null) throw new ArgumentException($"NIC {i}: QEMU has no filter-dump on vhost-user netdevs");
            if (pci && options.Machine != QemuMachineKind.Q35) throw new ArgumentException($"NIC {i}: {nic.Model} needs the q35 machine");
            if (!pci && options.Machine != QemuMachineKind.Microvm) throw new ArgumentException($"NIC {i}: virtio-net-device needs the microvm machine");
            if (pci)
            {
                int slot = SlotOf(options, i);
                if (slot is < 1 or > 24) throw new ArgumentException($"NIC {i}: slot {slot} is outside 1-24");
                if (!slots.Add(slot)) throw new ArgumentException($"NIC {i}: slot {slot} is taken");
            }
        }
    }

    private static byte[] ParseMac(string mac)
    {
        string[] parts = mac.Split(':');
        if (parts.Length != 6) throw new ArgumentException($"bad MAC address '{mac}'");
        var bytes = new byte[6];
        for (int i = 0; i < 6; i++)
        {
            if (!byte.TryParse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out bytes[i])) throw new ArgumentException($"bad MAC address '{mac}'");
        }
        return bytes;
    }

    private static List<string> BuildArguments(QemuOptions options, string bios, string ram, string qtestSocket, string qmpSocket, string log)
    {
        var a = new List<string>();
        void Add(params string[] items) => a.AddRange(items);
        string machine = options.Machine == QemuMachineKind.Q35
            ? "q35,memory-backend=mem"
            // One IOAPIC so a single intercept sees every line (qtest intercepts one device only);
            // virtio-mmio transports then use GSI 16-23.
            : "microvm,memory-backend=mem,ioapic2=off";
        Add("-machine", machine, "-accel", "tcg", "-nodefaults", "-nographic", "-display", "none");
        Add("-bios", bios);
        Add("-object", $"memory-backend-file,id=mem,size={options.MemoryMiB}M,mem-path={ram},share=on", "-m", $"{options.MemoryMiB}M");
        Add("-qtest", $"unix:{qtestSocket}", "-qtest-log", "none");
        Add("-chardev", $"socket,id=qmp,path={qmpSocket}", "-mon", "chardev=qmp,mode=control");
        a.AddRange(QemuLog.Arguments(log));
        if (options.Machine == QemuMachineKind.Microvm && !options.VirtioMmioForceLegacy) Add("-global", "virtio-mmio.force-legacy=false");
        for (int i = 0; i < options.Nics.Count; i++)
        {
            var nic = options.Nics[i];
            string netdev = NetdevId(i);
            a.AddRange(NetdevArguments(nic, netdev));
            string device = nic.Model switch
            {
                QemuNicModel.Igb => $"igb,netdev={netdev},mac={nic.Mac},id=nic{i},addr=0x{SlotOf(options, i):x},romfile=",
                QemuNicModel.VirtioNetPci => $"virtio-net-pci,netdev={netdev},mac={nic.Mac},id=nic{i},addr=0x{SlotOf(options, i):x},disable-legacy=on,romfile=",
                _ => $"virtio-net-device,netdev={netdev},mac={nic.Mac},id=nic{i}",
            };
            Add("-device", device);
            if (nic.CapturePath is { } capture) Add("-object", $"filter-dump,id=f{i},netdev={netdev},file={capture}");
        }
        foreach (int hub in options.GatewayOnHubs)
            Add("-netdev", $"user,id=gw{hub}", "-netdev", $"hubport,id=gwport{hub},hubid={hub},netdev=gw{hub}");
        a.AddRange(options.ExtraArguments);
        return a;
    }

    // The -netdev (and, for vhost-user, the -chardev it connects through) of one NIC.
    private static string[] NetdevArguments(QemuNic nic, string netdev) => nic.Netdev switch
    {
        QemuNetdevKind.User => new[] { "-netdev", $"user,id={netdev}" },
        QemuNetdevKind.Hub => new[] { "-netdev", $"hubport,id={netdev},hubid={nic.HubId}" },
        // The device's data path is the vhost-user back end listening on the socket (QEMU is
        // the client); guest RAM is already a shared file, which is all vhost-user needs.
        QemuNetdevKind.VhostUser => new[]
        {
            "-chardev", $"socket,id=vhu{netdev},path={nic.VhostUserSocket ?? throw new ArgumentException($"netdev {netdev}: vhost-user needs VhostUserSocket")}",
            "-netdev", $"vhost-user,id={netdev},chardev=vhu{netdev}",
        },
        _ => throw new ArgumentOutOfRangeException(nameof(nic), nic.Netdev, "unknown netdev kind"),
    };

    private static Socket Listen(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen(1);
        return socket;
    }

    // Accept with a deadline, giving up early (with stderr) when QEMU has already exited.
    private Socket Accept(Socket listener, DateTime deadline, string what)
    {
        var pending = listener.AcceptAsync();
        while (!pending.Wait(TimeSpan.FromMilliseconds(20)))
        {
            if (_process!.HasExited) throw new QemuException($"QEMU exited before connecting its {what} socket. {DescribeFailure()}\nCommand: {CommandLine}");
            if (DateTime.UtcNow > deadline) throw new QemuException($"QEMU did not connect its {what} socket within {Options.Timeout.TotalSeconds} s. {DescribeFailure()}\nCommand: {CommandLine}");
        }
        return pending.Result;
    }

    private Process StartWithWatchdog(string qemu, List<string> arguments)
    {
        var process = new Process { StartInfo = QemuWatchdog.StartInfo(qemu, arguments) };
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Capture(string? line)
    {
        if (line is null) return;
        Log?.AddStderrLine(line);
        lock (_stderr)
        {
            // Bounded: keep the last 64 KiB.
            if (_stderr.Length > 64 * 1024) _stderr.Remove(0, _stderr.Length - 32 * 1024);
            _stderr.AppendLine(line);
        }
    }

    private string DescribeFailure()
    {
        if (_process is null) return "";
        string state;
        try
        {
            // A closed socket usually means QEMU is on its way out: give it a moment so its exit
            // code and last words are known.
            if (_process.WaitForExit(1000))
            {
                _process.WaitForExit();
                state = $"QEMU exited with code {_process.ExitCode}";
            }
            else state = "QEMU is still running";
        }
        catch (InvalidOperationException) { state = "QEMU state unknown"; }
        string stderr = Stderr.Trim();
        return stderr.Length == 0 ? state + " (no stderr output)." : $"{state}; stderr:\n{stderr}";
    }

    private void Cleanup()
    {
        try { if (Memory is not null && File.Exists(Memory.Path)) File.Delete(Memory.Path); } catch (IOException) { }
        try { if (Directory.Exists(_workDir)) Directory.Delete(_workDir, recursive: true); } catch (IOException) { }
    }

    /// <summary>Stops QEMU (SIGTERM through its watchdog, then SIGKILL), closes the sockets, unmaps guest RAM and deletes every file.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _connection?.Dispose();
        _qmp?.Dispose();
        if (_process is not null)
        {
            try
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(5000)) _process.Kill(entireProcessTree: true);
                if (_process.WaitForExit(5000))
                {
                    // Let the output readers reach the end (bounded), so QEMU's last stderr lines
                    // are in the log before it is sealed.
                    var process = _process;
                    var drain = new Thread(() =>
                    {
                        // Disposed below if this outlasts the join: nothing more to read then.
                        try { process.WaitForExit(); } catch (SystemException) { }
                    }) { IsBackground = true };
                    drain.Start();
                    drain.Join(TimeSpan.FromSeconds(2));
                }
            }
            catch (InvalidOperationException) { }
            _process.Dispose();
        }
        Memory?.Dispose();
        if (_privateBlock != null) NativeMemory.AlignedFree(_privateBlock);
        Cleanup();
        if (Log is not null)
        {
            // QEMU has exited (or was killed): the log is complete.
            Log.Seal();
            try { if (_ownsLog || (File.Exists(Log.Path) && new FileInfo(Log.Path).Length == 0)) File.Delete(Log.Path); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
