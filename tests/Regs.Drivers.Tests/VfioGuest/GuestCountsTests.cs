using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace Regs.Drivers.Tests.VfioGuest;

/// <summary>The counting mode's parser (<see cref="GuestCounts"/>) on a small hand-written QEMU trace.</summary>
public sealed class GuestCountsTests
{
    private static readonly IReadOnlyList<(string Label, string Nic)> Runs = new[] { ("regs-igb", "igb"), ("linux-virtio", "virtio") };

    // The console text as the guest's 8250 driver writes it: one THR write per character, with LSR reads between.
    private static IEnumerable<string> Console(string text)
    {
        foreach (char c in text)
        {
            yield return "memory_region_ops_read cpu 0 mr 0x55d0 addr 0x3fd value 0x60 size 1 name 'serial'";
            yield return $"1234@1765161600.000001:memory_region_ops_write cpu 0 mr 0x55d0 addr 0x3f8 value 0x{(int)c:x} size 1 name 'serial'";
        }
    }

    private static string Read(string region) => $"memory_region_ops_read cpu 0 mr 0x55e0 addr 0xfeb80008 value 0x0 size 4 name '{region}'";
    private static string Write(string region) => $"memory_region_ops_write cpu -1 mr 0x55e0 addr 0xfeb80018 value 0x1 size 4 name '{region}'";
    // The IRTE's high quad first (as QEMU 10 prints it): Source-ID in bits 0-15, SVT=1 (bits 18-19).
    private static string Irq(int sid) => $"vtd_ir_irte_get index 5 low 0x{0x40000 | sid:x} high 0x2100000001";

    private static List<string> Fixture()
    {
        var t = new List<string>();
        t.AddRange(Console("regs-init: traffic regs-igb interface if=regs0\r\n"));
        t.Add(Read("igb-mmio"));                         // before the transfers: not counted
        t.AddRange(Console("regs-init: traffic regs-igb ping 3 packets transmitted, 3 packets received\r\n"));
        t.AddRange(new[] { Read("igb-mmio"), Read("igb-mmio"), Write("igb-mmio"), Read("msix-table"), Irq(0x10), Irq(0x10), Irq(0x18), Irq(0xf0f8) });
        t.Add(Read("virtio-pci-common-virtio-net"));      // the other NIC: not counted for an igb run
        t.AddRange(Console("regs-init: traffic regs-igb download status=0 bytes=33554432\r\n"));
        t.AddRange(new[] { Write("igb-mmio"), Write("igb-io"), Irq(0x10) });
        t.AddRange(Console("regs-init: traffic regs-igb upload status=0\r\n"));
        t.Add(Write("igb-mmio"));                         // after the upload: not counted
        t.AddRange(Console("regs-init: traffic linux-virtio ping 3 packets transmitted\n"));
        t.AddRange(new[] { Write("virtio-pci-notify-virtio-net"), Read("virtio-pci-isr-virtio-net"), Read("igb-mmio"), Irq(0x18) });
        t.AddRange(Console("regs-init: traffic linux-virtio download status=0\n"));
        t.AddRange(new[] { Write("virtio-pci-notify-virtio-net"), Write("virtio-pci-notify-virtio-net") });
        t.AddRange(Console("regs-init: traffic linux-virtio upload status=0\n"));
        t.Add("e1000e_wrn_regs_write_unknown WARNING: Writing to unknown register 0x00005b50");
        return t;
    }

    /// <summary>Each direction of each run counts only its NIC's accesses and its Source-ID's interrupts, between its console lines.</summary>
    [Fact]
    public void CountsTheNicsAccessesAndInterruptsBetweenTheConsoleLines()
    {
        var counts = GuestCounts.Count(Fixture(), Runs);
        Assert.Equal(new[]
        {
            new GuestCountsInterval("regs-igb", "download", 3, 1, 2),
            new GuestCountsInterval("regs-igb", "upload", 0, 2, 1),
            new GuestCountsInterval("linux-virtio", "download", 1, 1, 1),
            new GuestCountsInterval("linux-virtio", "upload", 0, 2, 0),
        }, counts);
        var (reads, writes, interrupts) = counts[0].PerMegabyte(2_000_000);
        Assert.Equal((1.5, 0.5, 1.0), (reads, writes, interrupts));
    }

    /// <summary>A run whose upload line never came (the guest stopped) has its download only.</summary>
    [Fact]
    public void AnUnfinishedIntervalIsNotReported()
    {
        var trace = Fixture();
        int cut = trace.FindIndex(l => l.Contains("addr 0xfeb80018", StringComparison.Ordinal) && l.Contains("igb-io", StringComparison.Ordinal));
        var counts = GuestCounts.Count(trace.Take(cut + 1), Runs);
        Assert.Equal(new[] { new GuestCountsInterval("regs-igb", "download", 3, 1, 2) }, counts);
    }

    /// <summary>The warning log keeps every line but the counting trace lines, and a mark in the trace maps to the same place in it.</summary>
    [Fact]
    public void SplitLogKeepsTheWarningsAndMapsTheMark()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"regs-counts-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string first = "regs guest_errors line before\n", second = "igb_wrn_rx_desc_modes_not_supp after\n";
            string traceText = Read("igb-mmio") + "\n" + first + Irq(0x10) + "\n" + Write("serial") + "\n";
            string trace = Path.Combine(dir, "trace.log"), log = Path.Combine(dir, "qemu.log");
            File.WriteAllText(trace, traceText + second + Read("igb-mmio") + "\n");
            long mapped = GuestCounts.SplitLog(trace, log, Encoding.UTF8.GetByteCount(traceText));
            Assert.Equal(first + second, File.ReadAllText(log));
            Assert.Equal(Encoding.UTF8.GetByteCount(first), mapped);
            Assert.Equal(-1, GuestCounts.SplitLog(trace, log, -1));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
