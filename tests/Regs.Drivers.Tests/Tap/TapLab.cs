using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Regs.Drivers.Tests.VfioGuest;
using Regs.Nic;
using Regs.Runtime.Hosted.Tap;
using Regs.Tap;
using Xunit;

namespace Regs.Drivers.Tests.Tap;

/// <summary>
/// Two network namespaces, each holding one TAP interface bridged to a NIC by a
/// <see cref="NicTapBridge{TNic}"/> pumping on its own thread: station A is 192.0.2.1/24 in one,
/// station B 192.0.2.2/24 in the other (TEST-NET-1, RFC 5737), so everything between the two
/// Linux stacks goes through the bridges and whatever connects the two NICs. Python 3 in the
/// namespaces pings (raw ICMP) and moves TCP data. Dispose stops the bridges, deletes the
/// namespaces (which removes the interfaces) and the scratch folder, whatever happened before.
/// </summary>
public sealed class TapLab : IDisposable
{
    public const string AddressA = "192.0.2.1", AddressB = "192.0.2.2";
    private static int s_serial;

    private readonly List<string> _namespaces = new();
    private readonly List<(Thread Thread, Action Stop)> _bridges = new();
    private readonly List<TapInterface> _taps = new();
    private readonly List<IDisposable> _owned = new();
    private readonly string _prefix;
    private readonly CancellationTokenSource _stop = new();

    public TapLab()
    {
        RequirePrerequisites();
        int serial = Interlocked.Increment(ref s_serial);
        _prefix = $"rg{Environment.ProcessId % 100000}x{serial}";
        Scratch = Path.Combine(Path.GetTempPath(), $"regs-tap-{Environment.ProcessId}-{serial}");
        Directory.CreateDirectory(Scratch);
        File.WriteAllText(Path.Combine(Scratch, "ping.py"), PingScript);
        File.WriteAllText(Path.Combine(Scratch, "tcp.py"), TcpScript);
    }

    /// <summary>The scratch folder for payload files.</summary>
    public string Scratch { get; }

    /// <summary>Namespace of station A and of station B.</summary>
    public string NamespaceA => _prefix + "a";
    public string NamespaceB => _prefix + "b";

    /// <summary>Python 3's interpreter (the real one, not a version manager's shim).</summary>
    public static string Python => s_python.Value;
    private static readonly Lazy<string> s_python = new(() =>
    {
        string? python = HostTools.Which("python3");
        Assert.True(python is not null, "python3 is required for the TAP traffic tests (it pings and moves TCP data inside the network namespaces): apt-get install python3");
        var (code, output) = HostTools.Run(python!, new[] { "-c", "import sys; print(sys.executable)" }, TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"python3 -c failed: {output}");
        return output.Trim().Split('\n')[^1].Trim();
    });

    private static void RequirePrerequisites()
    {
        Assert.True(HostTools.IsRoot, "the TAP traffic tests create TAP interfaces and network namespaces: run them as root (CAP_NET_ADMIN)");
        Assert.True(File.Exists("/dev/net/tun"), "/dev/net/tun is missing: load the tun module (modprobe tun)");
        Assert.True(HostTools.Which("ip") is not null, "the ip command (iproute2) is required: apt-get install iproute2");
        _ = Python;
    }

    /// <summary>Takes <paramref name="resource"/> (a device model, say) to dispose after the bridges stopped, never while one may still touch it.</summary>
    public T Own<T>(T resource) where T : IDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    /// <summary>Runs ip with <paramref name="arguments"/> and fails the test when it fails.</summary>
    public static string Ip(params string[] arguments)
    {
        var (code, output) = HostTools.Run(HostTools.Which("ip")!, arguments, TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"ip {string.Join(' ', arguments)} failed ({code}): {output}");
        return output;
    }

    /// <summary>
    /// Opens a TAP interface for <paramref name="nic"/>, moves it into a new namespace with
    /// <paramref name="address"/>/24, and starts a bridge on its own thread. Returns the bridge
    /// (read its counters; the pump owns the NIC).
    /// </summary>
    public NicTapBridge<TNic> Station<TNic>(TNic nic, string address, TapBridgeOptions options) where TNic : struct, INic
    {
        string ns = address == AddressA ? NamespaceA : NamespaceB;
        string name = ns;   // interface named like its namespace (at most 15 bytes)
        Ip("netns", "add", ns);
        _namespaces.Add(ns);
        TapInterface tap = NicTapBridge<TNic>.OpenTap(ref nic, name, up: false);
        _taps.Add(tap);
        var bridge = new NicTapBridge<TNic>(nic, tap, options);
        Ip("link", "set", name, "netns", ns);
        Ip("-n", ns, "link", "set", "lo", "up");
        Ip("-n", ns, "addr", "add", address + "/24", "dev", name);
        Ip("-n", ns, "link", "set", name, "up");
        CancellationToken token = _stop.Token;
        var thread = new Thread(() => bridge.Run(token)) { IsBackground = true, Name = "tap bridge " + name };
        thread.Start();
        _bridges.Add((thread, bridge.Stop));
        return bridge;
    }

    /// <summary>
    /// Moves interface <paramref name="ifname"/> (made by another process) into a new namespace of
    /// its own with <paramref name="address"/>/24 and brings it up; returns the namespace.
    /// </summary>
    public string Adopt(string ifname, string address)
    {
        string ns = _prefix + "n" + _namespaces.Count;
        Ip("netns", "add", ns);
        _namespaces.Add(ns);
        Ip("link", "set", ifname, "netns", ns);
        Ip("-n", ns, "link", "set", "lo", "up");
        Ip("-n", ns, "addr", "add", address + "/24", "dev", ifname);
        Ip("-n", ns, "link", "set", ifname, "up");
        return ns;
    }

    /// <summary>A fresh interface name (at most 15 bytes) no other lab of this process uses.</summary>
    public string InterfaceName(string suffix) => _prefix + suffix;

    /// <summary>Runs <paramref name="arguments"/> in namespace <paramref name="ns"/> (bounded); returns exit code and output.</summary>
    public static (int ExitCode, string Output) InNamespace(string ns, TimeSpan timeout, params string[] arguments)
    {
        var all = new List<string> { "netns", "exec", ns };
        all.AddRange(arguments);
        return HostTools.Run(HostTools.Which("ip")!, all, timeout);
    }

    /// <summary>Pings <paramref name="target"/> <paramref name="count"/> times from <paramref name="ns"/>; the output, after asserting every reply came.</summary>
    public string Ping(string ns, string target, int count)
    {
        var (code, output) = InNamespace(ns, TimeSpan.FromSeconds(10 + 3 * count), Python, Path.Combine(Scratch, "ping.py"), target, count.ToString());
        Assert.True(code == 0, $"ping {target} from {ns}: {output}");
        Assert.Contains($"received {count} of {count}", output);
        return output;
    }

    /// <summary>
    /// Sends <paramref name="payload"/> from <paramref name="fromNs"/> over TCP to a listener in
    /// <paramref name="toNs"/> at <paramref name="toAddress"/>; returns what the listener received and the elapsed time.
    /// </summary>
    public (byte[] Received, TimeSpan Elapsed) Transfer(string fromNs, string toNs, string toAddress, byte[] payload, int port)
    {
        string input = Path.Combine(Scratch, $"send-{port}.bin"), output = Path.Combine(Scratch, $"recv-{port}.bin");
        File.WriteAllBytes(input, payload);
        var start = new ProcessStartInfo(HostTools.Which("ip")!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "netns", "exec", toNs, Python, Path.Combine(Scratch, "tcp.py"), "listen", toAddress, port.ToString(), output })
            start.ArgumentList.Add(a);
        using var listener = Process.Start(start)!;
        try
        {
            Task<string?> ready = listener.StandardOutput.ReadLineAsync();
            if (!ready.Wait(TimeSpan.FromSeconds(20)) || ready.Result != "listening")
            {
                if (!listener.HasExited) listener.Kill(entireProcessTree: true);
                Assert.Fail($"the listener in {toNs} did not start: {(ready.IsCompleted ? ready.Result : "no line in 20 s")} {listener.StandardError.ReadToEnd()}");
            }
            var clock = Stopwatch.StartNew();
            var (code, text) = InNamespace(fromNs, TimeSpan.FromSeconds(120), Python, Path.Combine(Scratch, "tcp.py"), "send", toAddress, port.ToString(), input);
            if (code != 0)
            {
                string listenerState = listener.HasExited ? $"the listener had exited with {listener.ExitCode}: {listener.StandardError.ReadToEnd()}" : "the listener was still running";
                Assert.Fail($"sending {payload.Length} bytes from {fromNs} to {toAddress}:{port} failed ({listenerState}): {text}");
            }
            Assert.True(listener.WaitForExit(60_000), $"the listener in {toNs} did not finish");
            clock.Stop();
            Assert.True(listener.ExitCode == 0, $"the listener in {toNs} failed: {listener.StandardError.ReadToEnd()}");
            return (File.ReadAllBytes(output), clock.Elapsed);
        }
        finally
        {
            if (!listener.HasExited) listener.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Pseudo-random bytes from <paramref name="seed"/>.</summary>
    public static byte[] Payload(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>SHA-256 as hex.</summary>
    public static string Sha256(byte[] data) => Convert.ToHexString(SHA256.HashData(data));

    /// <summary>Stops the bridges (each within a round), then removes the namespaces and the interfaces.</summary>
    public void StopBridges()
    {
        _stop.Cancel();
        foreach (var (thread, stop) in _bridges)
        {
            stop();
            Assert.True(thread.Join(TimeSpan.FromSeconds(10)), $"{thread.Name} did not stop within 10 s");
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var (thread, stop) in _bridges)
        {
            stop();
            thread.Join(TimeSpan.FromSeconds(10));
        }
        bool stopped = true;
        foreach (var (thread, _) in _bridges) stopped &= !thread.IsAlive;
        foreach (TapInterface tap in _taps) tap.Dispose();
        // A bridge thread that did not stop may still be inside its driver: leave its memory be.
        if (stopped) foreach (IDisposable resource in _owned) resource.Dispose();
        foreach (string ns in _namespaces)
            HostTools.Run(HostTools.Which("ip")!, new[] { "netns", "delete", ns }, TimeSpan.FromSeconds(30));
        try { Directory.Delete(Scratch, recursive: true); } catch (IOException) { }
        _stop.Dispose();
    }

    // ICMP echo over a raw socket (no ping binary needed): COUNT requests with a 56-byte payload,
    // each answered within 2 s with the same identifier, sequence and payload; prints
    // "received N of COUNT" and exits 0 only if all came back.
    private const string PingScript = """
import os, socket, struct, sys, time
def checksum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
target, count = sys.argv[1], int(sys.argv[2])
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
ident, ok = os.getpid() & 0xffff, 0
for seq in range(count):
    payload = bytes((seq + i) & 0xff for i in range(56))
    head = struct.pack('!BBHHH', 8, 0, 0, ident, seq)
    packet = struct.pack('!BBHHH', 8, 0, checksum(head + payload), ident, seq) + payload
    start = time.time(); sock.sendto(packet, (target, 0))
    deadline = start + 2
    while True:
        left = deadline - time.time()
        if left <= 0: print('no reply to seq', seq); break
        sock.settimeout(left)
        try: data, peer = sock.recvfrom(4096)
        except socket.timeout: print('no reply to seq', seq); break
        ihl = (data[0] & 15) * 4
        kind, code, _, rid, rseq = struct.unpack('!BBHHH', data[ihl:ihl + 8])
        if kind == 0 and rid == ident and rseq == seq and data[ihl + 8:] == payload and peer[0] == target:
            ok += 1; print('reply from %s seq %d %.2f ms' % (peer[0], seq, (time.time() - start) * 1000)); break
print('received %d of %d' % (ok, count))
sys.exit(0 if ok == count else 1)
""";

    // listen ADDRESS PORT OUT: accept one connection, write everything received to OUT.
    // send ADDRESS PORT IN: connect, send IN, close the sending side, wait for the peer's close.
    private const string TcpScript = """
import socket, sys
mode, address, port, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
if mode == 'listen':
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((address, port)); server.listen(1); server.settimeout(60)
    print('listening', flush=True)
    conn, _ = server.accept(); conn.settimeout(60)
    with open(path, 'wb') as out:
        while True:
            data = conn.recv(1 << 16)
            if not data: break
            out.write(data)
    conn.close()
else:
    conn = socket.create_connection((address, port), timeout=60)
    with open(path, 'rb') as f: conn.sendall(f.read())
    conn.shutdown(socket.SHUT_WR)
    while conn.recv(1 << 16): pass
    conn.close()
""";
}
