using System.Linq;
using Regs.Igb;
using IgbValues = Regs.Igb.Igb;
using Regs.Runtime;
using Regs.Runtime.Pci;
using Xunit;

namespace Regs.Generator.Tests;

/// <summary>
/// The shipped definitions state the side effects the hardware has (issue 14): each register
/// offers only the operations that tell what they do, and those send the bits the hardware needs.
/// </summary>
[Trait("Category", "Generator")]
public sealed class DefinitionSideEffectTests
{
    private readonly FakeDevice _dev = new();

    private static string[] Methods<T>() => typeof(T).GetMethods()
        .Where(m => m.DeclaringType == typeof(T) && !m.IsSpecialName).Select(m => m.Name).OrderBy(n => n, System.StringComparer.Ordinal).ToArray();

    [Fact]
    public void IgbSwsmIsTakenByReadingSoItHasNoPlainRead()
    {
        // QEMU igb_mac_swsm_read: a read returns SMBI and sets it. A Read() that looked harmless took the semaphore.
        Assert.Equal(new[] { "ReadAndSet", "Write" }, Methods<Igb<FakeBus>.SWSMHandle>());
        var regs = new Igb<FakeBus>(new FakeBus(_dev));
        IgbValues.SWSM s = regs.SWSM.ReadAndSet();
        Assert.False(s.SMBI);
        regs.SWSM.Write(default); // release: SMBI and SWESMBI written 0
        Assert.Equal(new[] { "R32 0x5B50", "W32 0x5B50=0x0" }, _dev.Log);
    }

    [Fact]
    public void IgbStatusPhyraIsClearedByAWrittenZeroAndNothingElseIsWritable()
    {
        // QEMU igb_set_status: writing 0 to PHYRA clears it; STATUS was declared read-only, so it could not be cleared.
        Assert.Equal(new[] { "Clear", "Read" }, Methods<Igb<FakeBus>.STATUSHandle>());
        var regs = new Igb<FakeBus>(new FakeBus(_dev));
        regs.STATUS.Clear(new IgbValues.STATUS { PHYRA = true });
        Assert.Equal("W32 0x8=0x0", _dev.Log.Last());
        regs.STATUS.Clear(default); // nothing asked: PHYRA sent as 1, which leaves it
        Assert.Equal("W32 0x8=0x400", _dev.Log.Last());
        Assert.Null(typeof(IgbValues.STATUS).GetProperty(nameof(IgbValues.STATUS.LU))!.SetMethod);
    }

    [Fact]
    public void PhyStatusRegistersReleaseTheirLatchesWhenRead()
    {
        Assert.Equal(new[] { "ReadAndUnlatch" }, Methods<IgbPhy<Igb<FakeBus>.PhyPort>.BMSRHandle>());
        Assert.Equal(new[] { "ReadAndUnlatch" }, Methods<IgbPhy<Igb<FakeBus>.PhyPort>.ANERHandle>());
        Assert.Equal(new[] { "ReadAndClear" }, Methods<IgbPhy<Igb<FakeBus>.PhyPort>.GTSRHandle>()); // the idle error count clears
        Assert.IsType<IndirectRO<Igb<FakeBus>.PhyPort, IgbPhy.PHYID2>>(new Igb<FakeBus>(new FakeBus(_dev)).Phy.PHYID2); // no side effect: plain
    }

    [Fact]
    public void PciStatusErrorsAreClearedOnlyOnPurpose()
    {
        Assert.Equal(new[] { "Clear", "Read" }, Methods<PciConfig<FakeBus>.StatusHandle>());
        var header = new PciConfig<FakeBus>(new FakeBus(_dev));
        header.Status.Clear(new PciConfig.Status { ReceivedMasterAbort = true });
        Assert.Equal("W16 0x6=0x2000", _dev.Log.Last());
        // BAR type bits are hardwired: no setter to pretend otherwise.
        Assert.Null(typeof(PciConfig.BAR).GetProperty(nameof(PciConfig.BAR.Kind))!.SetMethod);
        Assert.NotNull(typeof(PciConfig.BAR).GetProperty(nameof(PciConfig.BAR.Address))!.SetMethod);
    }
}
