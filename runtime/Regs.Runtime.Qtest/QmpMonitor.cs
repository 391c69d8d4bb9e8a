using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Regs.Runtime.Qtest;

/// <summary>
/// QEMU's monitor over QMP (JSON, one message per line). HMP commands such as
/// <c>set_link n0 off</c> go through QMP's <c>human-monitor-command</c>, which returns the HMP
/// output as a string: no prompt or echo to strip, and errors arrive as JSON. Asynchronous
/// events (lines with "event") are skipped. Thread safe; every read is bounded.
/// </summary>
public sealed class QmpMonitor : IDisposable
{
    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly Func<string> _describeFailure;
    private readonly object _lock = new();
    private int _nextId;

    /// <summary>
    /// Negotiates capabilities on <paramref name="socket"/> (already connected by QEMU); each reply
    /// is awaited at most <paramref name="timeout"/>.
    /// </summary>
    public QmpMonitor(Socket socket, TimeSpan timeout, Func<string> describeFailure)
    {
        _socket = socket;
        _describeFailure = describeFailure;
        _socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        _reader = new StreamReader(new NetworkStream(socket, ownsSocket: false), Encoding.UTF8);
        // The greeting {"QMP": {...}}, then capabilities negotiation, as the protocol requires.
        ReadMessage(m => m.TryGetProperty("QMP", out _), "greeting");
        Execute("qmp_capabilities", null);
    }

    /// <summary>Runs one HMP command line (<c>set_link n0 off</c>, <c>info network</c>) and returns its output.</summary>
    public string Human(string commandLine)
    {
        using var result = Execute("human-monitor-command", new Dictionary<string, string> { ["command-line"] = commandLine });
        return result.RootElement.GetProperty("return").GetString() ?? "";
    }

    /// <summary>
    /// Runs one QMP command with string <paramref name="arguments"/> (may be null) and returns the
    /// whole reply. The request is written with Utf8JsonWriter, so this stays trim- and AOT-safe.
    /// </summary>
    public JsonDocument Execute(string command, IReadOnlyDictionary<string, string>? arguments)
    {
        lock (_lock)
        {
            int id = ++_nextId;
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("execute", command);
                if (arguments is not null)
                {
                    writer.WriteStartObject("arguments");
                    foreach (var (name, value) in arguments) writer.WriteString(name, value);
                    writer.WriteEndObject();
                }
                writer.WriteNumber("id", id);
                writer.WriteEndObject();
            }
            System.Buffers.BuffersExtensions.Write(buffer, "\n"u8);
            try { _socket.Send(buffer.WrittenSpan); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                throw new QemuException($"QMP: sending {command} failed ({e.Message}). {_describeFailure()}");
            }
            var reply = ReadMessage(m => m.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.Number && i.GetInt32() == id, command);
            if (reply.RootElement.TryGetProperty("error", out var error))
            {
                string text = error.TryGetProperty("desc", out var desc) ? desc.GetString() ?? "" : error.ToString();
                reply.Dispose();
                throw new QemuException($"QMP: {command} failed: {text}");
            }
            return reply;
        }
    }

    private JsonDocument ReadMessage(Func<JsonElement, bool> wanted, string what)
    {
        while (true)
        {
            string? line;
            try { line = _reader.ReadLine(); }
            catch (IOException e) { throw new QemuException($"QMP: no answer to {what} ({e.Message}). {_describeFailure()}"); }
            if (line is null) throw new QemuException($"QMP: QEMU closed the monitor during {what}. {_describeFailure()}");
            if (line.Length == 0) continue;
            var message = JsonDocument.Parse(line);
            if (wanted(message.RootElement)) return message;
            message.Dispose();
        }
    }

    /// <summary>Closes the monitor socket.</summary>
    public void Dispose()
    {
        _reader.Dispose();
        _socket.Dispose();
    }
}
