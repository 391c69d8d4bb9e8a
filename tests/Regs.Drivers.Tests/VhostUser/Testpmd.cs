using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace Regs.Drivers.Tests.VhostUser;

/// <summary>
/// DPDK's <c>dpdk-testpmd</c> (Debian package <c>dpdk-dev</c>) with one <c>net_vhost</c> port per
/// vhost-user socket, driven through its interactive prompt on a pipe. Its vhost library is the
/// data path of QEMU's virtio-net-pci when the netdev is <c>vhost-user</c>: an implementation of
/// the virtqueues nobody here wrote. No hugepages (<c>--no-huge</c>), no PCI, a file prefix of its
/// own. It spins one core at 100% while alive, so a test class shares one.
/// <para>
/// No process outlives the test run: testpmd runs in a session of its own (<c>setsid</c>, so its
/// process group id is its pid), exits when its stdin closes (also when this process dies), and
/// <see cref="Dispose"/> SIGKILLs the whole group if it has not exited 5 s after that. Dispose
/// also removes its runtime directory <c>/var/run/dpdk/PREFIX</c> and the sockets' directory.
/// </para>
/// </summary>
public sealed class Testpmd : IDisposable
{
    /// <summary>The program; its absence fails the test (test.sh installs it).</summary>
    public const string Program = "dpdk-testpmd";

    /// <summary>
    /// QEMU's first vhost-user message to a freshly listening testpmd can wait up to ~1 s: the
    /// vhost library's event thread adds new sockets to its poll set once a second
    /// (fdset_event_dispatch). QEMU is started no sooner than this after the sockets appear.
    /// </summary>
    public static readonly TimeSpan FirstConnectionDelay = TimeSpan.FromMilliseconds(1100);

    private const string Prompt = "testpmd> ";
    private static int _counter;

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _log = new();
    private long _trimmed;   // characters dropped from the front of _output so far
    private readonly Thread _reader, _logReader;
    private readonly string _directory;
    private readonly Stopwatch _sinceSockets;
    private bool _disposed;

    /// <summary>
    /// Starts testpmd with <paramref name="ports"/> vhost-user ports (server mode, one queue pair
    /// each) and forwarding as <paramref name="forwardMode"/> (<c>io</c>: port 0 to port 1 and back;
    /// <c>macswap</c>: an echo), in retry mode so a full receive ring holds frames back instead of
    /// dropping a burst.
    /// </summary>
    public Testpmd(int ports, string forwardMode) : this(ports, forwardMode, vdevOptions: "") { }

    /// <summary>
    /// As <see cref="Testpmd(int, string)"/>, with <paramref name="vdevOptions"/> added to every
    /// <c>net_vhost</c> vdev (for example <c>,tso=1</c>: the ports offer HOST_TSO4/6).
    /// </summary>
    public Testpmd(int ports, string forwardMode, string vdevOptions)
    {
        if (ports is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(ports));
        string? path = Locate();
        if (path is null)
            throw new InvalidOperationException($"{Program} not found on PATH: the VhostUser suite needs DPDK's testpmd (Debian: apt-get install dpdk-dev; ./test.sh installs it as root)");
        RemoveStale();
        Prefix = $"regs-vhu-{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}";
        _directory = Path.Combine(Path.GetTempPath(), Prefix);
        Directory.CreateDirectory(_directory);
        Sockets = new string[ports];

        var start = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        void Arg(string a) => start.ArgumentList.Add(a);
        // Unbuffered stdout: on a pipe stdio would hold command output back while the prompt
        // (written directly) comes through, and the replies would be out of step.
        Arg("stdbuf");
        Arg("-o0");
        Arg(path);
        // Two lcores: the main one reads the prompt, the other forwards. Both may run on either
        // CPU (--lcores '(0-1)@(0-1)' instead of -l 0-1, which pins lcore i to CPU i): pinned, the
        // polling core waited behind whatever else ran on its CPU of this shared 2-CPU machine.
        // 128 MB of plain memory (no hugepages) holds the buffer pool asked for below.
        foreach (string a in new[] { "--lcores=(0-1)@(0-1)", "--no-huge", "-m", "128", "--no-pci", $"--file-prefix={Prefix}", "--no-shconf", "--no-telemetry", "--log-level=lib.eal:warning", "--log-level=lib.vhost.config:warning" }) Arg(a);
        for (int i = 0; i < ports; i++)
        {
            Sockets[i] = Path.Combine(_directory, $"vhu{i}.sock");
            Arg("--vdev");
            Arg($"net_vhost{i},iface={Sockets[i]},queues=1,client=0{vdevOptions}");
        }
        Arg("--");
        // Without a bound testpmd sizes its mbuf pool for >256 MB and fails without hugepages.
        Arg("--total-num-mbufs=4096");
        Arg("-i");
        CommandLine = "setsid " + string.Join(' ', start.ArgumentList);

        _process = new Process { StartInfo = start };
        _process.Start();
        // The prompt has no newline: read characters, not lines. Both pipes get a thread of their
        // own (not the thread pool's asynchronous reads): a pipe left unread for a while fills,
        // and testpmd's thread writing to it stops, with whatever lock it holds.
        _reader = new Thread(ReadOutput) { IsBackground = true, Name = "testpmd stdout" };
        _reader.Start();
        _logReader = new Thread(ReadLog) { IsBackground = true, Name = "testpmd stderr" };
        _logReader.Start();
        try
        {
            WaitForPrompt(0, TimeSpan.FromSeconds(20), "its first prompt");
            foreach (string socket in Sockets)
            {
                if (!File.Exists(socket)) throw new InvalidOperationException($"testpmd did not create {socket}. {Describe()}");
            }
            _sinceSockets = Stopwatch.StartNew();
            Command($"set fwd {forwardMode} retry");
            Command("set burst tx delay 100 retry 1000");
            Command("start");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The EAL file prefix (its runtime directory is /var/run/dpdk/PREFIX).</summary>
    public string Prefix { get; }

    /// <summary>Port i's vhost-user socket (QEMU connects to it as client).</summary>
    public string[] Sockets { get; }

    /// <summary>The command line, for failure messages.</summary>
    public string CommandLine { get; }

    /// <summary>The pid (also its process group id).</summary>
    public int Pid => _process.Id;

    /// <summary>What testpmd printed on stdout so far: prompts and replies (bounded).</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>The log testpmd wrote to stderr so far: EAL and vhost library messages (bounded).</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Sleeps until QEMU may connect without the first-connection delay (<see cref="FirstConnectionDelay"/>).</summary>
    public void WaitUntilConnectable()
    {
        TimeSpan left = FirstConnectionDelay - _sinceSockets.Elapsed;
        if (left > TimeSpan.Zero) Thread.Sleep(left);
    }

    /// <summary>Runs one interactive command and returns what it printed before the next prompt (bounded wait).</summary>
    public string Command(string command)
    {
        if (_process.HasExited) throw new InvalidOperationException($"testpmd exited (code {_process.ExitCode}) before '{command}'. {Describe()}");
        long from;
        lock (_output) from = _trimmed + _output.Length;
        _process.StandardInput.WriteLine(command);
        _process.StandardInput.Flush();
        // Generous: on this shared machine testpmd once paused 10 s in the middle of a reply.
        string reply = WaitForPrompt(from, TimeSpan.FromSeconds(30), $"'{command}'");
        if (reply.Contains("Bad arguments", StringComparison.Ordinal) || reply.Contains("bad arguments", StringComparison.Ordinal))
            throw new InvalidOperationException($"testpmd refused '{command}': {reply}");
        return reply;
    }

    // Waits for the prompt after absolute output position `from`.
    private string WaitForPrompt(long from, TimeSpan limit, string what)
    {
        var clock = Stopwatch.StartNew();
        lock (_output)
        {
            while (true)
            {
                int start = (int)Math.Clamp(from - _trimmed, 0, _output.Length);
                string text = _output.ToString(start, _output.Length - start);
                int prompt = text.IndexOf(Prompt, StringComparison.Ordinal);
                if (prompt >= 0) return text.Substring(0, prompt);
                TimeSpan left = limit - clock.Elapsed;
                if (left <= TimeSpan.Zero || _process.HasExited)
                    throw new InvalidOperationException($"testpmd gave no prompt after {what} within {limit.TotalSeconds} s ({(_process.HasExited ? $"exited with {_process.ExitCode}" : "still running")}). {Describe()}");
                Monitor.Wait(_output, left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
            }
        }
    }

    private void ReadOutput()
    {
        var buffer = new char[4096];
        try
        {
            int n;
            while ((n = _process.StandardOutput.Read(buffer, 0, buffer.Length)) > 0) Append(new string(buffer, 0, n));
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
        catch (InvalidOperationException) { }
    }

    private void ReadLog()
    {
        try
        {
            string? line;
            while ((line = _process.StandardError.ReadLine()) is not null)
            {
                lock (_log)
                {
                    if (_log.Length > 256 * 1024) _log.Remove(0, _log.Length - 128 * 1024);
                    _log.AppendLine(line);
                }
            }
        }
        catch (IOException) { }
        catch (ObjectDisposedException) { }
        catch (InvalidOperationException) { }
    }

    private void Append(string text)
    {
        lock (_output)
        {
            // Bounded: keep the last 64 KiB.
            if (_output.Length > 128 * 1024)
            {
                int drop = _output.Length - 64 * 1024;
                _output.Remove(0, drop);
                _trimmed += drop;
            }
            _output.Append(text);
            Monitor.PulseAll(_output);
        }
    }

    private string Describe()
    {
        string log = Log;
        return $"Command: {CommandLine}\nOutput:\n{Output}\nLog (last 4 KiB):\n{(log.Length > 4096 ? log[^4096..] : log)}";
    }

    // What a killed test process left behind (testpmd itself exits when its stdin closes):
    // regs-vhu-PID-N directories of processes that no longer exist.
    private static void RemoveStale()
    {
        foreach (string root in new[] { "/var/run/dpdk", Path.GetTempPath() })
        {
            string[] dirs;
            try { dirs = Directory.GetDirectories(root, "regs-vhu-*"); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            foreach (string dir in dirs)
            {
                string[] parts = Path.GetFileName(dir).Split('-');
                if (parts.Length != 4 || !int.TryParse(parts[2], out int pid) || pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}")) continue;
                try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    private static string? Locate()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, Program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private const int SIGKILL = 9;

    /// <summary>Stops testpmd (stdin closed; SIGKILL to its process group after 5 s) and removes its files.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            try { _process.StandardInput.Close(); } catch (IOException) { }
            if (!_process.WaitForExit(5000))
            {
                // setsid made testpmd a session and process group leader: -pid is its whole group.
                kill(-_process.Id, SIGKILL);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException) { }
        _reader.Join(2000);
        _logReader.Join(2000);
        _process.Dispose();
        try { Directory.Delete(Path.Combine("/var/run/dpdk", Prefix), recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
