using System.Linq;
using Regs.Runtime;
using Regs.Tests.Device;
using Xunit;

namespace Regs.Generator.Tests;

/// <summary>Generated accessors for Yaml/testdevice.regs.yaml, run over fake memory.</summary>
[Trait("Category", "Generator")]
public sealed class GeneratedCodeTests
{
    private readonly FakeDevice _dev = new();
    private Dev<FakeBus> D => new(new FakeBus(_dev));

    [Fact]
    public void FieldsReadAndWriteTheirBits()
    {
        _dev.Poke32(0x00, 0x00AB_0221);
        var ctrl = D.Ctrl.Read();
        Assert.True(ctrl.Enable);
        Assert.Equal(Mode.Fast, ctrl.Mode);
        Assert.Equal(Irq.TX, ctrl.Irqs);
        Assert.Equal(0xABu, ctrl.Count);
        ctrl.Enable = false;
        ctrl.Mode = Mode.Slow;
        ctrl.Count = 0x1FF; // wider than the 8-bit field: masked
        D.Ctrl.Write(ctrl);
        // Reserved 31:30 forced to 1, 29:28 forced to 0, everything else as set.
        Assert.Equal(0xC0FF_0210u, _dev.Peek32(0x00));
        Assert.Equal(new[] { "R32 0x0", "W32 0x0=0xC0FF0210" }, _dev.Log);
    }

    [Fact]
    public void ResetValueAndUnknownEnumValuesRoundTrip()
    {
        Assert.Equal(0x41u, Dev.Ctrl.Reset.Bits);
        var v = Dev.Ctrl.Reset;
        v.Mode = (Mode)3; // no member is named 3: still representable (open enum)
        Assert.Equal((Mode)3, v.Mode);
        Assert.Equal(0x71u, v.Bits);
    }

    [Fact]
    public void ReadModifyWriteNeverClearsWriteOneToClearBitsItRead()
    {
        _dev.Poke32(0x04, 0x0000_0132); // Speed=2, LinkChanged=1, Error=1, Go=1
        var s = D.Status.Read();
        s.Speed = 1;
        D.Status.Write(s);
        Assert.Equal(0x1u, _dev.Peek32(0x04)); // events and the w1s bit are written as 0
        _dev.Poke32(0x04, 0x0000_0030);
        D.Status.Clear(D.Status.Read()); // acknowledge what was read
        Assert.Equal(0x30u, _dev.Peek32(0x04));
        var go = default(Dev.Status);
        go.Go = true;
        go.Error = true;
        D.Status.Set(go); // Set never sends the w1c bit
        Assert.Equal(0x100u, _dev.Peek32(0x04));
    }

    [Fact]
    public void AccessKindsDecideWhichMethodsExist()
    {
        static string[] Methods<T>() => typeof(T).GetMethods().Where(m => m.DeclaringType == typeof(T) && !m.IsSpecialName).Select(m => m.Name).OrderBy(n => n).ToArray();
        Assert.Equal(new[] { "Read" }, Methods<RegisterRO<FakeBus, U32>>());
        Assert.Equal(new[] { "Write" }, Methods<RegisterWO<FakeBus, U32>>());
        Assert.Equal(new[] { "ReadAndClear" }, Methods<RegisterRC<FakeBus, U32>>());
        Assert.IsType<RegisterRO<FakeBus, U32>>(D.Ver);
        Assert.IsType<RegisterWO<FakeBus, U32>>(D.Cmd);
        Assert.IsType<RegisterRC<FakeBus, U32>>(D.Counter);
        Assert.IsType<RegisterRCW1C<FakeBus, Dev.Cause>>(D.Cause);
        Assert.IsType<RegisterW1C<FakeBus, U32>>(D.Events);
        Assert.IsType<RegisterRWCS<FakeBus, Dev.Status>>(D.Status);
        // Creating a handle performs no access: side-effecting registers are never read implicitly.
        _ = D.Counter;
        _ = D.Cause.ToString();
        Assert.Empty(_dev.Log);
    }

    [Fact]
    public void ReadToClearAndTypedRegisters()
    {
        _dev.Poke32(0x10, 0x3);
        Irq cause = D.Cause.ReadAndClear();
        Assert.Equal(Irq.RX | Irq.TX, cause);
        D.Cause.Clear(Irq.RX);
        Assert.Equal(0x1u, _dev.Peek32(0x10));
    }

    [Fact]
    public void SixtyFourBitRegistersSplitInDeclaredOrder()
    {
        D.Wide.Write(0x1122_3344_5566_7788);
        Assert.Equal(new[] { "W32 0x24=0x11223344", "W32 0x20=0x55667788" }, _dev.Log);
        Assert.Equal(0x1122_3344_5566_7788ul, D.Wide.Read().Bits);
        Assert.Equal("R32 0x24", _dev.Log[2]);
    }

    [Fact]
    public void BigEndianRegistersAreSwapped()
    {
        _dev.Poke32(0x28, 0x0000_00AB); // byte 0 (the most significant in big-endian) = 0xAB
        Assert.Equal(0xABu, D.Big.Read().Top);
    }

    [Fact]
    public void ArraysRegularAndIrregular()
    {
        D.Table(3).Write(7);
        Assert.Equal(7u, _dev.Peek32(0x100 + 12));
        D.Table(8 + 2).Write(9); // indices wrap: never outside the array
        Assert.Equal(9u, _dev.Peek32(0x100 + 8));
        Assert.Equal(8u, Dev.TableCount);
        uint[] expected = { 0x200, 0x208, 0x300, 0x308, 0x310 };
        for (uint i = 0; i < 5; i++)
        {
            D.Addr(i).Write(0xA0 + i);
            Assert.Equal(0xA0 + i, _dev.Peek32((int)expected[i]));
        }
    }

    [Fact]
    public void WindowsSelectEachPart()
    {
        var dev = new WindowDevice();
        var d = new Dev<FakeBus>(new FakeBus(dev));
        DevFeatures f = d.Feat.Read();
        Assert.Equal(DevFeatures.HAS_A | DevFeatures.VERSION_1 | DevFeatures.HAS_C, f);
        Assert.Equal(new[] { "W32 0x30=0x0", "R32 0x34", "W32 0x30=0x1", "R32 0x34" }, dev.Log);
    }

    private sealed class WindowDevice : FakeDevice
    {
        public override uint Read(nuint offset, int width)
        {
            if (offset == 0x34) { Log.Add("R32 0x34"); return Peek32(0x30) == 0 ? 0x1u : 0x8000_0001u; }
            return base.Read(offset, width);
        }
    }

    [Fact]
    public void SelectedAndRepeatedGroups()
    {
        var q = D.Queue(3);
        q.QSize.Write(256);
        q.QAddr.Write(0x1_0000_2000);
        Assert.Equal(new[] { "W16 0x38=0x3", "W16 0x3C=0x100", "W32 0x48=0x2000", "W32 0x4C=0x1" }, _dev.Log);
        D.Ring(2).Tail.Write(5);
        Assert.Equal(5u, _dev.Peek32(0x1000 + 2 * 0x40 + 0x18));
        Assert.Equal(4u, Dev.RingCount);
    }

    [Fact]
    public void ConstantsAndFlagsInheritBits()
    {
        Assert.Equal(0x74726976u, Dev.Magic);
        Assert.Equal(1UL << 32, (ulong)DevFeatures.VERSION_1);
        Assert.Equal((ulong)BaseFeatures.VERSION_1, (ulong)DevFeatures.VERSION_1);
        Assert.Equal(1UL << 63, (ulong)DevFeatures.HAS_C);
    }
}
