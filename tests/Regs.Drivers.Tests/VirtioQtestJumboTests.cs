using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Regs.Drivers.Virtio;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime.Qtest;
using Regs.Testing.NicKinds;
using Regs.Virtio;
using Xunit;

namespace Regs.Drivers.Tests;

/// <summary>
/// Jumbo frames between two of QEMU's virtio-net-pci devices on one hub, each offering
/// VIRTIO_NET_F_MTU with <c>host_mtu=9000</c>: with QEMU's default MRG_RXBUF (a frame spread over
/// 2 KiB receive buffers, num_buffers) and with <c>mrg_rxbuf=off</c> (big receive buffers). The
/// frames are checked byte-exact and exactly once at the far NIC and their sizes in QEMU's capture.
/// </summary>
[Trait("Category", "Qtest")]
public sealed class VirtioQtestJumboTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Frames_of_9018_bytes_cross_QEMUs_hub_byte_exact_and_exactly_once_among_60_byte_frames(bool mergeable)
    {
        string name = $"virtio-jumbo-{(mergeable ? "mrg" : "big")}";
        var nics = Enumerable.Range(0, 2).Select(i => new QemuNic(QemuNicModel.VirtioNetPci, QtestNics.MacText(i))
        {
            Netdev = QemuNetdevKind.Hub,
            CapturePath = QtestNics.CapturePath(name, i),
        }).ToArray();
        var extra = new List<string> { "-global", "virtio-net-pci.host_mtu=9000" };
        if (!mergeable) extra.AddRange(new[] { "-global", "virtio-net-pci.mrg_rxbuf=off" });
        var machine = new QemuMachine(new QemuOptions
        {
            Name = name,
            Nics = nics,
            LogPath = QemuWarnings.NewLogPath("qtest-" + name),
            ExtraArguments = extra,
        });
        try
        {
            INic a = QtestNics.Open(machine, NicKind.VirtioPci, 0, default);
            INic b = QtestNics.Open(machine, NicKind.VirtioPci, 1, default);
            var virtioA = (VirtioNet<QtestAccess, VirtioPciTransport<QtestAccess>, QtestHost>)a;
            Assert.Equal(9000u, virtioA.Mtu);
            Assert.Equal(9018, a.MaxFrameLength);
            Assert.Equal(mergeable, (virtioA.Features & VirtioNetFeatures.MRG_RXBUF) != 0);

            const int count = 60;
            var frames = Enumerable.Range(0, count).Select(i => Frame(b.Mac, a.Mac, i % 3 == 0 ? 60 : 9018, i)).ToList();
            var received = new List<byte[]>();
            var rx = new FrameBatch(new byte[32 * FrameBatch.SlotSize], new FrameEntry[32]);
            int next = 0;
            var clock = Stopwatch.StartNew();
            while ((next < count || received.Count < count) && clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                if (next < count)
                {
                    // A few at a time: QEMU's hub holds what the far ring has no room for.
                    var tx = new FrameBatch(new byte[10 * FrameBatch.SlotSize], new FrameEntry[4]);
                    int k = 0;
                    while (next + k < count && tx.Add(frames[next + k])) k++;
                    next += a.Send(in tx);
                }
                else a.Send(default);
                b.WaitForReceive(2_000);
                int n = b.Receive(ref rx);
                for (int i = 0; i < n; i++) received.Add(rx.Frame(i).ToArray());
            }
            Assert.Equal(count, received.Count);
            for (int i = 0; i < count; i++) Assert.Equal(frames[i], received[i]);
            Assert.Equal(0ul, a.Stats().ProtocolErrors + b.Stats().ProtocolErrors + a.Stats().TxRejected + b.Stats().RxDropped);

            // On the wire (QEMU's capture of NIC 0's netdev): the frames as sent, 9018 bytes long.
            var wire = machine.CapturedFrames(0).Select(f => f.Data).Where(d => d.Length >= 12 && MacAddress.From(d.AsSpan(6)).Bits == a.Mac.Bits).ToList();
            Assert.Equal(frames.Select(f => f.Length), wire.Select(f => f.Length));
            Assert.Equal(40, wire.Count(f => f.Length == 9018));
        }
        finally
        {
            machine.Dispose();
            foreach (int i in new[] { 0, 1 }) System.IO.File.Delete(QtestNics.CapturePath(name, i));
        }
        QemuWarnings.AssertNoUnexpectedQemuWarnings(machine);   // QEMU's complaints are failures
    }

    private static byte[] Frame(MacAddress to, MacAddress from, int length, int sequence)
    {
        byte[] frame = new byte[length];
        to.CopyTo(frame);
        from.CopyTo(frame.AsSpan(6));
        frame[12] = 0x88;
        frame[13] = 0xB5;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(14), sequence);
        for (int i = 18; i < length; i++) frame[i] = (byte)(i * 29 + sequence);
        return frame;
    }
}
