using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace Regs.Drivers.Tests.VfioGuest;

/// <summary>One direction of one traffic run and what the NIC saw meanwhile.</summary>
/// <param name="Label">The run's label (<see cref="GuestImage.TrafficRuns"/>).</param>
/// <param name="Direction">"download" or "upload".</param>
/// <param name="Reads">MMIO/PIO reads on the run's NIC (its BAR regions and its MSI-X table).</param>
/// <param name="Writes">MMIO/PIO writes on the run's NIC.</param>
/// <param name="Interrupts">Interrupt messages the NIC sent (remapped through the vIOMMU with its source-id).</param>
public sealed record GuestCountsInterval(string Label, string Direction, long Reads, long Writes, long Interrupts)
{
    /// <summary>Per megabyte (10^6 bytes) of <paramref name="bytes"/> moved.</summary>
    public (double Reads, double Writes, double Interrupts) PerMegabyte(long bytes) =>
        (Reads * 1e6 / bytes, Writes * 1e6 / bytes, Interrupts * 1e6 / bytes);
}

/// <summary>
/// The opt-in counting mode of the VFIO guest boot (<see cref="Variable"/>=1): QEMU traces every
/// memory-region access (<c>memory_region_ops_read/write</c>: the region's name tells igb's BARs,
/// <c>igb-mmio</c>/<c>igb-io</c>, from virtio-pci's <c>virtio-pci-common/isr/device/notify-virtio-net</c>)
/// and every interrupt-remapping table lookup (<c>vtd_ir_irte_get</c>: one per MSI/MSI-X message
/// through QEMU's intel-iommu with intremap=on, vtd_interrupt_remap_msi; the entry's Source-ID,
/// VT-d spec 9.10, names the device: 00:02.0 igb = 0x10, 00:03.0 virtio = 0x18). The log backend
/// writes them where <c>-D</c> points, so in this mode QEMU's log goes to a separate trace file and
/// <see cref="SplitLog"/> copies the other lines (the warnings) to the harness's QEMU log afterwards.
/// The intervals need no clock: the serial console is a port-I/O region too (<c>serial</c>, 0x3f8),
/// so the guest's console text is rebuilt from its THR writes in the same ordered stream, and a
/// run's download is what lies between its "traffic LABEL ping" and "traffic LABEL download" lines,
/// its upload between "download" and "upload" (GuestImage.TrafficFunctions).
/// </summary>
public static class GuestCounts
{
    /// <summary>The environment variable that turns counting on (value 1). Off by default: CI's boot is unchanged.</summary>
    public const string Variable = "REGS_GUEST_COUNTS";

    /// <summary>True when <see cref="Variable"/> is 1.</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>The trace events this mode enables (QEMU 10 names; <c>qemu-system-x86_64 -trace help</c>).</summary>
    public static IReadOnlyList<string> Events { get; } = new[] { "memory_region_ops_read", "memory_region_ops_write", "vtd_ir_irte_get" };

    /// <summary>The QEMU arguments that enable <see cref="Events"/>.</summary>
    public static IEnumerable<string> TraceArguments => Events.SelectMany(e => new[] { "-trace", e });

    /// <summary>The PCI Source-ID (bus 0, device &lt;&lt; 3) of each NIC of <see cref="LinuxGuest"/>.</summary>
    public static int SourceId(string nic) => nic == "igb" ? 0x10 : 0x18;

    /// <summary>True when <paramref name="region"/> is one of <paramref name="nic"/>'s memory regions.</summary>
    public static bool IsNicRegion(string nic, string region) =>
        nic == "igb" ? region.StartsWith("igb-", StringComparison.Ordinal) : region.StartsWith("virtio-pci-", StringComparison.Ordinal) && region.EndsWith("-virtio-net", StringComparison.Ordinal);

    // "[pid@sec.usec:]memory_region_ops_write cpu 0 mr 0x... addr 0x3f8 value 0x41 size 1 name 'serial'"
    private static readonly Regex Access = new(@"^(?:\d+@\d+\.\d+:)?memory_region_ops_(?<op>read|write) cpu -?\d+ mr \S+ addr 0x(?<addr>[0-9a-f]+) value 0x(?<value>[0-9a-f]+) size \d+ name '(?<name>[^']*)'",
        RegexOptions.Compiled | RegexOptions.CultureInvariant);
    // "[pid@sec.usec:]vtd_ir_irte_get index 3 low 0x40010 high 0x..."
    private static readonly Regex Irte = new(@"^(?:\d+@\d+\.\d+:)?vtd_ir_irte_get index \d+ low 0x(?<a>[0-9a-f]+) high 0x(?<b>[0-9a-f]+)", RegexOptions.Compiled | RegexOptions.CultureInvariant);
    private static readonly Regex Event = new(@"^(?:\d+@\d+\.\d+:)?(?:memory_region_ops_read|memory_region_ops_write|vtd_ir_irte_get) ", RegexOptions.Compiled | RegexOptions.CultureInvariant);
    private static readonly Regex Boundary = new(@"regs-init: traffic (?<label>\S+) (?<step>ping|download|upload)\b", RegexOptions.Compiled | RegexOptions.CultureInvariant);

    /// <summary>True when <paramref name="line"/> is one of this mode's trace lines (not a warning).</summary>
    public static bool IsTraceLine(string line) => Event.IsMatch(line);

    /// <summary>The COM1 data register (THR when written): the guest's console characters.</summary>
    public const ulong SerialData = 0x3f8;

    /// <summary>
    /// Counts, per run of <paramref name="runs"/> (label and NIC) and direction, the NIC's reads,
    /// writes and interrupts in <paramref name="trace"/>'s lines (see the class summary).
    /// </summary>
    public static IReadOnlyList<GuestCountsInterval> Count(IEnumerable<string> trace, IReadOnlyList<(string Label, string Nic)> runs)
    {
        var nics = runs.ToDictionary(r => r.Label, r => r.Nic, StringComparer.Ordinal);
        var result = new List<GuestCountsInterval>();
        var console = new StringBuilder();
        string? label = null, direction = null, nic = null;
        long reads = 0, writes = 0, interrupts = 0;

        void Close()
        {
            if (label is not null && direction is not null) result.Add(new GuestCountsInterval(label, direction, reads, writes, interrupts));
            label = direction = nic = null;
            reads = writes = interrupts = 0;
        }

        void ConsoleLine(string text)
        {
            var m = Boundary.Match(text);
            if (!m.Success || !nics.TryGetValue(m.Groups["label"].Value, out string? runNic)) return;
            string run = m.Groups["label"].Value, step = m.Groups["step"].Value;
            if (step == "ping") { Close(); (label, direction, nic) = (run, "download", runNic); }
            else if (step == "download" && label == run && direction == "download") { Close(); (label, direction, nic) = (run, "upload", runNic); }
            else if (step == "upload" && label == run && direction == "upload") Close();
        }

        foreach (string line in trace)
        {
            var access = Access.Match(line);
            if (access.Success)
            {
                string name = access.Groups["name"].Value;
                bool write = access.Groups["op"].Value == "write";
                if (write && name == "serial" && ulong.Parse(access.Groups["addr"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) == SerialData)
                {
                    char c = (char)(ulong.Parse(access.Groups["value"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 0xff);
                    if (c == '\n') { ConsoleLine(console.ToString()); console.Clear(); }
                    else if (c != '\r' && console.Length < 4096) console.Append(c);
                }
                // The MSI-X table (msix-table, msix-pba) belongs to whichever NIC the run drives: the other one is idle.
                else if (nic is not null && (IsNicRegion(nic, name) || name.StartsWith("msix-", StringComparison.Ordinal)))
                {
                    if (write) writes++;
                    else reads++;
                }
                continue;
            }
            var irte = Irte.Match(line);
            if (irte.Success && nic is not null)
            {
                // The quad with the Source-ID (bits 0-15), its qualifier and validation type (16-19), the rest reserved (VT-d 9.10).
                int sid = SourceId(nic);
                foreach (string quad in new[] { irte.Groups["a"].Value, irte.Groups["b"].Value })
                {
                    ulong v = ulong.Parse(quad, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    if ((v & ~0xFFFFFUL) == 0 && (int)(v & 0xFFFF) == sid && (v >> 18 & 3) == 1) { interrupts++; break; }
                }
            }
        }
        return result;
    }

    /// <summary>Reads <paramref name="path"/> line by line (it may be large).</summary>
    public static IEnumerable<string> Lines(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        for (string? line; (line = reader.ReadLine()) is not null;) yield return line;
    }

    /// <summary>
    /// Copies the lines of <paramref name="trace"/> (QEMU's whole log) that are not this mode's
    /// trace lines to <paramref name="warnings"/> (the QEMU log the warning oracle reads) and
    /// returns where <paramref name="traceOffset"/> (a length the trace had during the run) falls in
    /// the copy (-1 stays -1).
    /// </summary>
    public static long SplitLog(string trace, string warnings, long traceOffset)
    {
        long mapped = traceOffset < 0 ? -1 : 0, position = 0;
        using var output = new FileStream(warnings, FileMode.Create, FileAccess.Write);
        if (!File.Exists(trace)) return mapped;
        using var input = new BufferedStream(new FileStream(trace, FileMode.Open, FileAccess.Read, FileShare.ReadWrite), 1 << 20);
        var line = new MemoryStream();
        long written = 0;
        void Flush()
        {
            if (line.Length == 0) return;
            string text = Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length);
            if (!IsTraceLine(text)) { output.Write(line.GetBuffer(), 0, (int)line.Length); written += line.Length; }
            position += line.Length;
            if (traceOffset >= position) mapped = written;
            line.SetLength(0);
        }
        for (int b; (b = input.ReadByte()) >= 0;)
        {
            line.WriteByte((byte)b);
            if (b == '\n') Flush();
        }
        Flush();
        return mapped;
    }

    /// <summary>A table of <paramref name="intervals"/> per megabyte of <paramref name="bytes"/> each.</summary>
    public static string Table(IEnumerable<GuestCountsInterval> intervals, long bytes)
    {
        var s = new StringBuilder();
        s.AppendLine($"{"run",-18} {"direction",-9} {"reads",9} {"writes",9} {"irqs",9} {"reads/MB",9} {"writes/MB",9} {"irqs/MB",9}");
        foreach (var i in intervals)
        {
            var (r, w, q) = i.PerMegabyte(bytes);
            s.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{i.Label,-18} {i.Direction,-9} {i.Reads,9} {i.Writes,9} {i.Interrupts,9} {r,9:F1} {w,9:F1} {q,9:F1}"));
        }
        return s.ToString();
    }
}
