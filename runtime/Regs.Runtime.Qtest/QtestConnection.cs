using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace Regs.Runtime.Qtest;

/// <summary>
/// QEMU's qtest line protocol (system/qtest.c): one command per line, answered by <c>OK [value]</c>
/// or <c>FAIL reason</c>. QEMU also sends <c>IRQ raise N</c> / <c>IRQ lower N</c> at any time once
/// interrupts are intercepted; a reader thread separates those from replies and records the
/// level of each line. Thread safe: one request is in flight at a time, and every wait is bounded.
/// </summary>
public sealed class QtestConnection : IDisposable
{
    /// <summary>qtest tracks at most this many interrupt lines (MAX_IRQ in system/qtest.c).</summary>
    public const int MaxIrqLines = 256;

    private long _commands;

    /// <summary>Commands sent so far (register accesses, port and memory commands): the demo's trace summary.</summary>
    public long Commands => Interlocked.Read(ref _commands);

    private readonly Socket _socket;
    private readonly TimeSpan _timeout;
    private readonly Func<string> _describeFailure;
    private readonly Thread _reader;
    private readonly object _requestLock = new();
    // Guards the reply queue, the IRQ levels and the closed flag; the reader pulses it.
    private readonly object _state = new();
    private readonly Queue<string> _replies = new();
    private readonly bool[] _levels = new bool[MaxIrqLines];
    private readonly long[] _raises = new long[MaxIrqLines];
    private bool _closed;
    private bool _broken;

    /// <summary>
    /// A connection over <paramref name="socket"/> (already connected by QEMU). Each reply is
    /// awaited at most <paramref name="timeout"/>; <paramref name="describeFailure"/> explains a
    /// dead or silent QEMU (its exit code and stderr).
    /// </summary>
    public QtestConnection(Socket socket, TimeSpan timeout, Func<string> describeFailure)
    {
        _socket = socket;
        _timeout = timeout;
        _describeFailure = describeFailure;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "qtest reader" };
        _reader.Start();
    }

    /// <summary>
    /// Sends one command line and returns what follows <c>OK</c> (empty when nothing does).
    /// Throws <see cref="QemuException"/> on FAIL, on a closed connection or after the timeout.
    /// </summary>
    public string Command(string line)
    {
        Interlocked.Increment(ref _commands);
        lock (_requestLock)
        {
            if (_broken) throw new QemuException($"qtest connection unusable after an earlier failure. {_describeFailure()}");
            try { _socket.Send(Encoding.ASCII.GetBytes(line + "\n")); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                _broken = true;
                throw new QemuException($"qtest: sending '{Shorten(line)}' failed ({e.Message}). {_describeFailure()}");
            }
            string reply = AwaitReply(line);
            if (reply == "OK") return "";
            if (reply.StartsWith("OK ", StringComparison.Ordinal)) return reply.Substring(3);
            throw new QemuException($"qtest: '{Shorten(line)}' answered '{reply}'");
        }
    }

    private string AwaitReply(string line)
    {
        var deadline = DateTime.UtcNow + _timeout;
        lock (_state)
        {
            while (_replies.Count == 0)
            {
                if (_closed)
                {
                    _broken = true;
                    throw new QemuException($"qtest: QEMU closed the connection during '{Shorten(line)}'. {_describeFailure()}");
                }
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    // A late reply would be taken for the next command's: the stream is out of step.
                    _broken = true;
                    throw new QemuException($"qtest: no reply to '{Shorten(line)}' within {_timeout.TotalSeconds} s. {_describeFailure()}");
                }
                Monitor.Wait(_state, left);
            }
            return _replies.Dequeue();
        }
    }

    private static string Shorten(string line) => line.Length <= 80 ? line : line.Substring(0, 80) + "...";

    private void ReadLoop()
    {
        try
        {
            using var stream = new NetworkStream(_socket, ownsSocket: false);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            string? line;
            while ((line = reader.ReadLine()) != null)
            {
                lock (_state)
                {
                    if (line.StartsWith("IRQ ", StringComparison.Ordinal)) RecordIrq(line);
                    else _replies.Enqueue(line);
                    Monitor.PulseAll(_state);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException) { }
        finally
        {
            lock (_state) { _closed = true; Monitor.PulseAll(_state); }
        }
    }

    // "IRQ raise 22" / "IRQ lower 22": N is the input of the intercepted device (IOAPIC pin = GSI).
    private void RecordIrq(string line)
    {
        string[] words = line.Split(' ');
        if (words.Length != 3 || !int.TryParse(words[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)) return;
        if ((uint)n >= MaxIrqLines) return;
        bool high = words[1] == "raise";
        if (high && !_levels[n]) _raises[n]++;
        _levels[n] = high;
    }

    /// <summary>
    /// Reports the gpio inputs of the device at <paramref name="qomPath"/> (e.g. <c>ioapic</c>) as
    /// IRQ lines from now on. QEMU allows one intercepted device per process.
    /// </summary>
    public void InterceptIrqIn(string qomPath) => Command($"irq_intercept_in {qomPath}");

    /// <summary>The last reported level of interrupt line <paramref name="line"/> (false before any report).</summary>
    public bool IsIrqHigh(int line)
    {
        if ((uint)line >= MaxIrqLines) return false;
        lock (_state) return _levels[line];
    }

    /// <summary>How many times line <paramref name="line"/> went from low to high so far.</summary>
    public long IrqRaiseCount(int line)
    {
        if ((uint)line >= MaxIrqLines) return 0;
        lock (_state) return _raises[line];
    }

    /// <summary>Waits until line <paramref name="line"/> is high or <paramref name="timeout"/> passes; true if high.</summary>
    public bool WaitForIrqHigh(int line, TimeSpan timeout)
    {
        if ((uint)line >= MaxIrqLines) return false;
        var deadline = DateTime.UtcNow + timeout;
        lock (_state)
        {
            while (!_levels[line])
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || _closed) return false;
                Monitor.Wait(_state, left);
            }
            return true;
        }
    }

    /// <summary>Reads a byte of guest-physical memory or MMIO.</summary>
    public byte ReadB(ulong address) => (byte)ParseValue(Command($"readb 0x{address:x}"));
    /// <summary>Reads 16 bits (little-endian guest).</summary>
    public ushort ReadW(ulong address) => (ushort)ParseValue(Command($"readw 0x{address:x}"));
    /// <summary>Reads 32 bits.</summary>
    public uint ReadL(ulong address) => (uint)ParseValue(Command($"readl 0x{address:x}"));
    /// <summary>Reads 64 bits as one access.</summary>
    public ulong ReadQ(ulong address) => ParseValue(Command($"readq 0x{address:x}"));
    /// <summary>Writes a byte.</summary>
    public void WriteB(ulong address, byte value) => Command($"writeb 0x{address:x} 0x{value:x}");
    /// <summary>Writes 16 bits.</summary>
    public void WriteW(ulong address, ushort value) => Command($"writew 0x{address:x} 0x{value:x}");
    /// <summary>Writes 32 bits.</summary>
    public void WriteL(ulong address, uint value) => Command($"writel 0x{address:x} 0x{value:x}");
    /// <summary>Writes 64 bits as one access.</summary>
    public void WriteQ(ulong address, ulong value) => Command($"writeq 0x{address:x} 0x{value:x}");

    /// <summary>Reads an I/O port byte.</summary>
    public byte InB(ushort port) => (byte)ParseValue(Command($"inb 0x{port:x}"));
    /// <summary>Reads a 16-bit I/O port.</summary>
    public ushort InW(ushort port) => (ushort)ParseValue(Command($"inw 0x{port:x}"));
    /// <summary>Reads a 32-bit I/O port.</summary>
    public uint InL(ushort port) => (uint)ParseValue(Command($"inl 0x{port:x}"));
    /// <summary>Writes an I/O port byte.</summary>
    public void OutB(ushort port, byte value) => Command($"outb 0x{port:x} 0x{value:x}");
    /// <summary>Writes a 16-bit I/O port.</summary>
    public void OutW(ushort port, ushort value) => Command($"outw 0x{port:x} 0x{value:x}");
    /// <summary>Writes a 32-bit I/O port.</summary>
    public void OutL(ushort port, uint value) => Command($"outl 0x{port:x} 0x{value:x}");

    /// <summary>
    /// Reads <paramref name="length"/> bytes of the guest's address space as QEMU sees it (the
    /// <c>read</c> command, hex encoded): an independent check of what a device DMA'd or a driver wrote.
    /// </summary>
    public byte[] Read(ulong address, int length)
    {
        // QEMU asserts on a zero-length read and would abort.
        if (length <= 0) return Array.Empty<byte>();
        string hex = Command($"read 0x{address:x} 0x{length:x}");
        if (hex.StartsWith("0x", StringComparison.Ordinal)) hex = hex.Substring(2);
        var data = new byte[length];
        for (int i = 0; i < length && 2 * i + 1 < hex.Length; i++)
            data[i] = byte.Parse(hex.AsSpan(2 * i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return data;
    }

    /// <summary>Writes bytes into the guest's address space (the <c>b64write</c> command).</summary>
    public void Write(ulong address, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        Command($"b64write 0x{address:x} 0x{data.Length:x} {Convert.ToBase64String(data)}");
    }

    /// <summary>Fills guest memory with one byte value.</summary>
    public void Memset(ulong address, ulong length, byte value) => Command($"memset 0x{address:x} 0x{length:x} 0x{value:x}");

    /// <summary>
    /// Reads <paramref name="size"/> (1, 2 or 4) bytes of PCI configuration space of bus 0
    /// <paramref name="device"/>/<paramref name="function"/> through ports 0xCF8/0xCFC (configuration
    /// mechanism #1; without firmware q35's ECAM window is not enabled). Address and data access are
    /// one atomic step for other threads.
    /// </summary>
    public uint PciConfigRead(int device, int function, uint offset, int size)
    {
        lock (_requestLock)
        {
            OutL(0xCF8, ConfigAddress(device, function, offset));
            ushort port = (ushort)(0xCFC + (offset & 3));
            return size switch { 1 => InB(port), 2 => InW(port), _ => InL(port) };
        }
    }

    /// <summary>Writes <paramref name="size"/> (1, 2 or 4) bytes of PCI configuration space; see <see cref="PciConfigRead"/>.</summary>
    public void PciConfigWrite(int device, int function, uint offset, int size, uint value)
    {
        lock (_requestLock)
        {
            OutL(0xCF8, ConfigAddress(device, function, offset));
            ushort port = (ushort)(0xCFC + (offset & 3));
            switch (size)
            {
                case 1: OutB(port, (byte)value); break;
                case 2: OutW(port, (ushort)value); break;
                default: OutL(port, value); break;
            }
        }
    }

    // Enable bit, bus 0, device, function, dword-aligned register (PCI Local Bus 3.0, 3.2.2.3.2).
    private static uint ConfigAddress(int device, int function, uint offset)
        => 0x8000_0000u | ((uint)(device & 31) << 11) | ((uint)(function & 7) << 8) | (offset & 0xFC);

    private static ulong ParseValue(string text)
    {
        text = text.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) text = text.Substring(2);
        return ulong.Parse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    /// <summary>Closes the socket; the reader thread ends and later commands fail at once.</summary>
    public void Dispose()
    {
        try { _socket.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        _socket.Dispose();
        _reader.Join(TimeSpan.FromSeconds(2));
    }
}
