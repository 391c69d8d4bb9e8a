using Regs.Runtime;
using Regs.Tests.Device;
using Xunit;

namespace Regs.Generator.Tests;

/// <summary>Ports (indirect spaces), configuration snapshots and DMA layouts of Yaml/testdevice.regs.yaml.</summary>
[Trait("Category", "Generator")]
public sealed unsafe class ProtocolTests
{
    /// <summary>An MDIO-like command register: completes after a few polls, or never, or with an error.</summary>
    private sealed class MdioDevice : FakeDevice
    {
        public readonly ushort[] PhyRegs = new ushort[32];
        public int PollsUntilReady = 2;
        public bool Error;
        private int _polls;

        public override void Write(nuint offset, int width, uint value)
        {
            base.Write(offset, width, value);
            if (offset != 0x40) return;
            uint reg = (value >> 16) & 0x1F, phy = (value >> 21) & 0x1F, op = (value >> 26) & 0x3;
            Assert.Equal(1u, phy); // the port's 'set: { PhyAddr: 1 }'
            if (op == 0b01) PhyRegs[reg] = (ushort)value;
            _polls = 0;
            Poke32(0x40, value & ~(1u << 28));
        }

        public override uint Read(nuint offset, int width)
        {
            if (offset == 0x40 && ++_polls >= PollsUntilReady && PollsUntilReady > 0)
            {
                uint v = Peek32(0x40);
                uint reg = (v >> 16) & 0x1F;
                uint data = ((v >> 26) & 0x3) == 0b10 ? PhyRegs[reg] : v & 0xFFFF;
                Poke32(0x40, (v & 0xFFFF_0000) | data | (1u << 28) | (Error ? 1u << 30 : 0));
            }
            return base.Read(offset, width);
        }
    }

    [Fact]
    public void PortReadsAndWritesTheIndirectSpace()
    {
        var mdio = new MdioDevice();
        var dev = new Dev<FakeBus>(new FakeBus(mdio));
        mdio.PhyRegs[1] = 0x0004;
        Assert.Equal(IndirectStatus.Ok, dev.Phy0.Status.Read(out Phy.Status status));
        Assert.True(status.Link);
        var ctl = default(Phy.Control);
        ctl.Restart = true;
        Assert.Equal(IndirectStatus.Ok, dev.Phy0.Control.Write(ctl));
        Assert.Equal(0x0200, mdio.PhyRegs[0]);
        // The command: opcode 0b10 (read) in bits 27:26, register 1, PHY address 1.
        Assert.Contains("W32 0x40=0x8210000", mdio.Log);
    }

    [Fact]
    public void PortWaitIsBoundedAndReportsTimeout()
    {
        var mdio = new MdioDevice { PollsUntilReady = 0 }; // never ready
        var dev = new Dev<FakeBus>(new FakeBus(mdio));
        Assert.Equal(IndirectStatus.Timeout, dev.Phy0.Status.Read(out Phy.Status status));
        Assert.Equal(default, status);
        Assert.Equal(100ul, mdio.DelayedMicroseconds); // timeout_us: 100, poll_us: 5
    }

    [Fact]
    public void PortReportsDeviceErrorAsAValue()
    {
        var mdio = new MdioDevice { Error = true };
        var dev = new Dev<FakeBus>(new FakeBus(mdio));
        Assert.Equal(IndirectStatus.DeviceError, dev.Phy0.Control.Read(out _));
    }

    [Fact]
    public void AnUntypedOpcodeIsWrittenAsTheNumberItMeans()
    {
        // Numbers as the language writes them, separators included: '1_' is a number to Regs but no C# literal.
        const string yaml = """
            namespace: T
            blocks:
              - { name: Space, indirect: true, width: 16, registers: [ { name: R0, offset: 0 } ] }
              - name: Dev
                registers:
                  - name: Cmd
                    offset: 0
                    fields:
                      - { name: Data, bits: "15:0" }
                      - { name: Reg, bits: "20:16" }
                      - { name: Op, bits: "27:26" }
                      - { name: Ready, bit: 28 }
                ports:
                  - { name: P, space: Space, register: Cmd, address: Reg, data: Data, opcode: { field: Op, read: 0b1_0, write: 1_ }, done: Ready }
            """;
        var result = GeneratorHarness.Run(yaml);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileDiagnostics);
        string source = Assert.Single(result.Sources);
        Assert.Contains("c.Op = (uint)(2);", source);
        Assert.Contains("c.Op = (uint)(1);", source);
    }

    private struct Generation : IGenerationCounter
    {
        public FakeDevice Device;
        public int Changes; // the device changes its config this many times while we read
        public uint ReadGeneration()
        {
            uint g = Device.Peek32(0x100);
            if (Changes > 0) { Changes--; Device.Poke32(0x100, g + 1); }
            return g;
        }
    }

    [Fact]
    public void SnapshotReadsOnlyNegotiatedFieldsConsistently()
    {
        var dev = new FakeDevice();
        new byte[] { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x01, 0x00, 0xDC, 0x05, 0x07, 0x00 }.CopyTo(dev.Memory, 0);
        var cfg = new DevConfig<FakeBus>(new FakeBus(dev));
        Assert.True(cfg.TryReadSnapshot(new Generation { Device = dev, Changes = 1 }, DevFeatures.HAS_A | DevFeatures.HAS_C, out DevConfig.Snapshot s));
        Assert.True(s.Has(DevFeatures.HAS_A));
        Assert.False(s.Has(DevFeatures.HAS_B));
        Assert.Equal(0x56, s.mac(5).Bits);
        Assert.Equal(0x52, s.mac(0).Bits);
        Assert.False(s.status.Up); // requires HAS_B: not read
        Assert.Equal(1500, s.mtu.Bits); // requires HAS_B or HAS_C
        Assert.Equal(7, s.always.Bits);
        Assert.DoesNotContain(dev.Log, e => e == "R16 0x6");
    }

    [Fact]
    public void SnapshotGivesUpWhenTheGenerationNeverSettles()
    {
        var dev = new FakeDevice();
        var cfg = new DevConfig<FakeBus>(new FakeBus(dev));
        Assert.False(cfg.TryReadSnapshot(new Generation { Device = dev, Changes = int.MaxValue }, DevFeatures.HAS_A, out _));
    }

    [Fact]
    public void LayoutsMatchTheirDeclaredBytes()
    {
        Assert.Equal(16, sizeof(Desc));
        Assert.Equal(16, sizeof(RxDesc));
        Assert.Equal(4, sizeof(Used));
        Assert.Equal((nuint)(4 + 8 * 256 + 2), Used.SizeOf(256));
        byte* mem = stackalloc byte[64];
        var d = (Desc*)mem;
        d->addr = 0x1122_3344_5566_7788;
        d->len = 1514;
        d->flags = Irq.TX;
        Assert.Equal(0x88, mem[0]);
        Assert.Equal(0x11, mem[7]);
        Assert.Equal(1514u, *(uint*)(mem + 8));
        Assert.Equal(2, *(ushort*)(mem + 12));
    }

    [Fact]
    public void RunTimeArraysAndViews()
    {
        byte* mem = stackalloc byte[4 + 8 * 4 + 2];
        var u = (Used*)mem;
        Used.ring(u, 2).id = 9;
        Used.avail_event(u, 4).Value = 0xBEEF;
        Assert.Equal(9u, *(uint*)(mem + 4 + 16));
        Assert.Equal(0xBEEF, *(ushort*)(mem + 4 + 32));

        byte* rx = stackalloc byte[16];
        var r = (RxDesc*)rx;
        r->Read.Packet = 0xAABB_CCDD_0000_1000;
        *(uint*)(rx + 8) = 0x23; // device write-back: DD, EOP, Kind=2
        *(ushort*)(rx + 14) = 0x3412; // big-endian 0x1234
        Assert.True(r->WriteBack.StatusError.DD);
        Assert.True(r->WriteBack.StatusError.EOP);
        Assert.Equal(Mode.Fast, r->WriteBack.StatusError.Kind);
        Assert.Equal(0x1234, r->WriteBack.NetLen);
    }
}
