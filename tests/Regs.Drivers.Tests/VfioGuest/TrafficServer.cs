using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;

namespace Regs.Drivers.Tests.VfioGuest;

/// <summary>One transfer as the host saw it: bytes moved, their SHA-256 (lower-case hex), how long, and what went wrong (null when nothing).</summary>
public sealed record HostTransfer(string Label, long Bytes, string Sha256, TimeSpan Elapsed, string? Error)
{
    /// <summary>Throughput in MB/s (10^6 bytes per second), or 0.</summary>
    public double MegabytesPerSecond => Elapsed.TotalSeconds > 0 ? Bytes / Elapsed.TotalSeconds / 1e6 : 0;
}

/// <summary>
/// The host's end of the guest's traffic phase (GuestImage.TrafficPhase): a small HTTP/1.1
/// server on 127.0.0.1 (the guest reaches it as slirp's 10.0.2.2:<see cref="Port"/>). Requests:
/// <c>GET /download/LABEL</c> sends <see cref="GuestImage.TransferBytes"/> bytes of a fixed
/// pseudo-random body (<see cref="DownloadSha256"/>); <c>POST</c> or <c>PUT /upload/LABEL</c>
/// hashes the body as it arrives (Content-Length required) and answers with that hash;
/// <c>GET /hostfwd/LABEL/ADDRESS</c> answers at once, then connects through the QEMU hostfwd
/// rule that reaches ADDRESS (<see cref="HostForwards"/>), retrying until the guest listens, and
/// hashes what it reads until the guest closes; <c>GET /mark/NAME</c> tells where the guest is
/// (<see cref="Marked"/> runs before the answer goes out). Every socket operation has a timeout; Dispose
/// stops the listener and closes what is open.
/// </summary>
public sealed class TrafficServer : IDisposable
{
    /// <summary>The guest addresses slirp's DHCP hands out first (10.0.2.15 on, one per MAC); one hostfwd rule each.</summary>
    public static readonly IReadOnlyList<string> ForwardedGuestAddresses = new[] { "10.0.2.15", "10.0.2.16", "10.0.2.17" };

    private static readonly Regex LabelPattern = new("^[a-z0-9-]{1,40}$", RegexOptions.CultureInvariant);
    private static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ForwardDeadline = TimeSpan.FromSeconds(60);
    private const long MaxUploadBytes = 64L << 20;

    private readonly TcpListener _listener;
    private readonly byte[] _body;
    private readonly Thread _acceptor;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly List<Thread> _workers = new();
    private readonly ConcurrentQueue<string> _events = new();
    private readonly Dictionary<string, int> _forwardPorts = new(StringComparer.Ordinal);

    /// <summary>Starts listening on 127.0.0.1 (a free port) and reserves a free host port for each of <see cref="ForwardedGuestAddresses"/>.</summary>
    public TrafficServer()
    {
        _body = DownloadBody(GuestImage.TransferBytes);
        DownloadSha256 = Convert.ToHexStringLower(SHA256.HashData(_body));
        foreach (string address in ForwardedGuestAddresses) _forwardPorts[address] = FreePort();
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(16);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptor = new Thread(AcceptLoop) { IsBackground = true, Name = "traffic-server" };
        _acceptor.Start();
    }

    /// <summary>The server's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>SHA-256 (lower-case hex) of every download's body.</summary>
    public string DownloadSha256 { get; }

    /// <summary>The hostfwd rules for QEMU's user netdev (<c>tcp:127.0.0.1:HOSTPORT-GUESTADDR:GUESTPORT</c>), one per <see cref="ForwardedGuestAddresses"/>.</summary>
    public IReadOnlyList<string> HostForwards => _forwardPorts
        .Select(f => $"tcp:127.0.0.1:{f.Value}-{f.Key}:{GuestImage.GuestForwardPort}").ToList();

    /// <summary>Downloads served, by label (the last one per label).</summary>
    public ConcurrentDictionary<string, HostTransfer> Downloads { get; } = new(StringComparer.Ordinal);
    /// <summary>Uploads received, by label.</summary>
    public ConcurrentDictionary<string, HostTransfer> Uploads { get; } = new(StringComparer.Ordinal);
    /// <summary>Connections into the guest through hostfwd, by label.</summary>
    public ConcurrentDictionary<string, HostTransfer> Forwards { get; } = new(StringComparer.Ordinal);

    /// <summary>Runs with the name of each GET /mark/NAME before the guest gets its answer.</summary>
    public Action<string>? Marked { get; set; }

    /// <summary>What the server did, one line per request or connection, in order.</summary>
    public IReadOnlyList<string> Events => _events.ToArray();

    /// <summary>The download body: a fixed xorshift64* stream, so that every run serves the same bytes.</summary>
    public static byte[] DownloadBody(int length)
    {
        var body = new byte[length];
        ulong x = 0x9E3779B97F4A7C15;
        for (int i = 0; i + 8 <= length; i += 8)
        {
            x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
            BitConverter.TryWriteBytes(body.AsSpan(i, 8), x * 0x2545F4914F6CDD1DUL);
        }
        return body;
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private void Event(string text) => _events.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {text}");

    private void AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = _listener.AcceptSocket(); }
            catch (SocketException) { return; }
            catch (ObjectDisposedException) { return; }
            client.ReceiveTimeout = (int)IoTimeout.TotalMilliseconds;
            client.SendTimeout = (int)IoTimeout.TotalMilliseconds;
            _open[client] = 0;
            Start(() =>
            {
                try { Serve(client); }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or System.IO.IOException) { Event($"connection failed: {e.Message}"); }
                finally
                {
                    _open.TryRemove(client, out _);
                    client.Dispose();
                }
            }, "traffic-request");
        }
    }

    private void Start(Action work, string name)
    {
        var thread = new Thread(() => work()) { IsBackground = true, Name = name };
        lock (_workers)
        {
            _workers.RemoveAll(t => !t.IsAlive);
            _workers.Add(thread);
        }
        thread.Start();
    }

    private void Serve(Socket client)
    {
        // The request head: up to the blank line, at most 16 KiB.
        var head = new byte[16 << 10];
        int filled = 0, end = -1;
        while (end < 0)
        {
            if (filled == head.Length) { Respond(client, 431, "request head too long\n"); return; }
            int n = client.Receive(head, filled, head.Length - filled, SocketFlags.None);
            if (n == 0) return;
            filled += n;
            end = head.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
        }
        string[] lines = Encoding.ASCII.GetString(head, 0, end).Split("\r\n");
        string[] request = lines[0].Split(' ');
        if (request.Length < 2) { Respond(client, 400, "bad request line\n"); return; }
        string method = request[0], path = request[1];
        long contentLength = -1;
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                && long.TryParse(line[(colon + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long parsed)) contentLength = parsed;
        }
        string[] parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !LabelPattern.IsMatch(parts[1])) { Respond(client, 404, "no such path\n"); return; }
        string label = parts[1];
        int bodyStart = end + 4;

        switch (parts[0])
        {
            case "download" when method == "GET" && parts.Length == 2:
                SendDownload(client, label);
                break;
            case "upload" when (method == "POST" || method == "PUT") && parts.Length == 2:
                ReceiveUpload(client, label, contentLength, head.AsSpan(bodyStart, filled - bodyStart));
                break;
            case "hostfwd" when method == "GET" && parts.Length == 3:
                string address = parts[2];
                if (!_forwardPorts.TryGetValue(address, out int port))
                {
                    Forwards[label] = new HostTransfer(label, 0, "", TimeSpan.Zero, $"no hostfwd rule reaches the guest address {address}");
                    Respond(client, 404, "no hostfwd rule for that address\n");
                    return;
                }
                Respond(client, 200, $"connecting to 127.0.0.1:{port}\n");
                Start(() => ConnectIntoGuest(label, address, port), "traffic-hostfwd");
                break;
            case "mark" when method == "GET" && parts.Length == 2:
                Marked?.Invoke(label);
                Event($"mark {label}");
                Respond(client, 200, "marked\n");
                break;
            default:
                Respond(client, 404, "no such path\n");
                break;
        }
    }

    private void SendDownload(Socket client, string label)
    {
        var clock = Stopwatch.StartNew();
        Send(client, Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {_body.Length}\r\nConnection: close\r\n\r\n"));
        long sent = 0;
        string? error = null;
        try
        {
            while (sent < _body.Length)
            {
                int n = client.Send(_body, (int)sent, (int)Math.Min(64 << 10, _body.Length - sent), SocketFlags.None);
                if (n <= 0) { error = "send returned 0"; break; }
                sent += n;
            }
            client.Shutdown(SocketShutdown.Send);
            // Wait (bounded) for the guest to close: then everything sent was taken.
            var drain = new byte[256];
            while (client.Receive(drain) > 0) { }
        }
        catch (SocketException e) { error = e.Message; }
        var transfer = new HostTransfer(label, sent, sent == _body.Length ? DownloadSha256 : "", clock.Elapsed, error);
        Downloads[label] = transfer;
        Event($"download {label}: sent {sent} bytes in {clock.Elapsed.TotalSeconds:F2} s ({transfer.MegabytesPerSecond:F2} MB/s){(error is null ? "" : ", " + error)}");
    }

    private void ReceiveUpload(Socket client, string label, long length, ReadOnlySpan<byte> already)
    {
        if (length < 0 || length > MaxUploadBytes) { Respond(client, 411, "Content-Length (at most 64 MiB) required\n"); return; }
        var clock = Stopwatch.StartNew();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long got = Math.Min(already.Length, length);
        sha.AppendData(already[..(int)got]);
        var buffer = new byte[64 << 10];
        string? error = null;
        try
        {
            while (got < length)
            {
                int n = client.Receive(buffer, 0, (int)Math.Min(buffer.Length, length - got), SocketFlags.None);
                if (n == 0) { error = $"the guest closed after {got} of {length} bytes"; break; }
                sha.AppendData(buffer, 0, n);
                got += n;
            }
        }
        catch (SocketException e) { error = e.Message; }
        string hash = Convert.ToHexStringLower(sha.GetHashAndReset());
        var transfer = new HostTransfer(label, got, hash, clock.Elapsed, error);
        Uploads[label] = transfer;
        Event($"upload {label}: received {got} of {length} bytes in {clock.Elapsed.TotalSeconds:F2} s ({transfer.MegabytesPerSecond:F2} MB/s) sha256={hash}{(error is null ? "" : ", " + error)}");
        if (error is null) Respond(client, 200, $"sha256={hash}\n");
    }

    // slirp accepts the host's connection at once and only then connects to the guest: before the
    // guest listens, that connection closes without data. So: connect, read until the guest closes,
    // and try again while nothing came, until the deadline.
    private void ConnectIntoGuest(string label, string address, int port)
    {
        var clock = Stopwatch.StartNew();
        int attempts = 0;
        string? error = "no attempt";
        while (clock.Elapsed < ForwardDeadline && !_stop.IsCancellationRequested)
        {
            attempts++;
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
                {
                    ReceiveTimeout = (int)IoTimeout.TotalMilliseconds,
                    SendTimeout = (int)IoTimeout.TotalMilliseconds,
                };
                _open[socket] = 0;
                try
                {
                    socket.Connect(IPAddress.Loopback, port);
                    using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                    var buffer = new byte[64 << 10];
                    long got = 0;
                    var read = Stopwatch.StartNew();
                    for (int n; (n = socket.Receive(buffer)) > 0;)
                    {
                        sha.AppendData(buffer, 0, n);
                        got += n;
                    }
                    if (got > 0)
                    {
                        string hash = Convert.ToHexStringLower(sha.GetHashAndReset());
                        Forwards[label] = new HostTransfer(label, got, hash, read.Elapsed, null);
                        Event($"hostfwd {label}: read {got} bytes from {address}:{GuestImage.GuestForwardPort} through 127.0.0.1:{port} (attempt {attempts}) sha256={hash}");
                        return;
                    }
                    error = "the connection closed without data";
                }
                finally { _open.TryRemove(socket, out _); }
            }
            catch (SocketException e) { error = e.Message; }
            catch (ObjectDisposedException) { return; }
            Thread.Sleep(200);
        }
        Forwards[label] = new HostTransfer(label, 0, "", clock.Elapsed, $"{attempts} attempts in {clock.Elapsed.TotalSeconds:F1} s, last: {error}");
        Event($"hostfwd {label}: failed after {attempts} attempts: {error}");
    }

    private static void Respond(Socket client, int status, string body)
    {
        string reason = status switch { 200 => "OK", 400 => "Bad Request", 404 => "Not Found", 411 => "Length Required", _ => "Error" };
        byte[] bytes = Encoding.ASCII.GetBytes(body);
        Send(client, Encoding.ASCII.GetBytes($"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n"));
        Send(client, bytes);
    }

    private static void Send(Socket client, byte[] bytes)
    {
        for (int sent = 0; sent < bytes.Length;)
        {
            int n = client.Send(bytes, sent, bytes.Length - sent, SocketFlags.None);
            if (n <= 0) return;
            sent += n;
        }
    }

    /// <summary>Stops listening, closes every open connection and waits (bounded) for the workers.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var socket in _open.Keys)
        {
            try { socket.Close(0); } catch (ObjectDisposedException) { }
        }
        _acceptor.Join(TimeSpan.FromSeconds(5));
        Thread[] workers;
        lock (_workers) workers = _workers.ToArray();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        foreach (var worker in workers)
        {
            var left = deadline - DateTime.UtcNow;
            if (left > TimeSpan.Zero) worker.Join(left);
        }
        _stop.Dispose();
    }
}
