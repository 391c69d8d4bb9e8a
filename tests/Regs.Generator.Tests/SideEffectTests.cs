using System.Linq;
using Regs.Runtime;
using Regs.Tests.Device;
using Xunit;

namespace Regs.Generator.Tests;

/// <summary>
/// Side effects (onread, onwrite, latch) of Yaml/testdevice.regs.yaml: each register offers
/// exactly the operations its bits allow, named after their effect, and each operation sends the
/// bits that do what its name says and nothing else.
/// </summary>
[Trait("Category", "Generator")]
public sealed class SideEffectTests
{
    private readonly FakeDevice _dev = new();
    private Dev<FakeBus> D => new(new FakeBus(_dev));

    private static string[] Methods<T>() => typeof(T).GetMethods()
        .Where(m => m.DeclaringType == typeof(T) && !m.IsSpecialName).Select(m => m.Name).OrderBy(n => n, System.StringComparer.Ordinal).ToArray();

    [Fact]
    public void EachSideEffectIsAMethodNameAndNoPlainReadOrWriteHidesOne()
    {
        Assert.Equal(new[] { "ReadAndUnlatch" }, Methods<Dev<FakeBus>.LatchedHandle>());
        Assert.Equal(new[] { "ReadAndSet", "Write" }, Methods<Dev<FakeBus>.SemaphoreHandle>());
        Assert.Equal(new[] { "Clear", "Read", "Set", "Toggle", "Write" }, Methods<Dev<FakeBus>.EffectsHandle>());
        Assert.Equal(new[] { "ReadAndClear", "WriteAndClear" }, Methods<Dev<FakeBus>.DrainHandle>());
        Assert.Equal(new[] { "WriteAndSet" }, Methods<Dev<FakeBus>.ArmHandle>());
        Assert.Equal(new[] { "ReadAndClear" }, Methods<Dev<FakeBus>.CountersHandle>()); // rclr and latch together: the read clears
        Assert.Equal(new[] { "ReadAndClear" }, Methods<Dev<FakeBus>.IdentHandle>());    // register-level onread, fields inherit it
        Assert.Equal(new[] { "Read", "Toggle" }, Methods<Dev<FakeBus>.FlipHandle>()); // rw, every bit toggles on a written 1
        // Busy is read-only and Done clears on a written 0: nothing a plain write could store.
        Assert.Equal(new[] { "Clear", "Read" }, Methods<Dev<FakeBus>.ReadyHandle>());
        // Behind a port: the same names, with the port's status as the result.
        Assert.Equal(new[] { "ReadAndUnlatch" }, Methods<Phy<Dev<FakeBus>.Phy0Port>.LinkStatusHandle>());
        Assert.Equal(new[] { "ReadAndClear" }, Methods<Phy<Dev<FakeBus>.Phy0Port>.ErrorCountHandle>());
        Assert.Equal(new[] { "Clear", "Read", "Write" }, Methods<Phy<Dev<FakeBus>.Phy0Port>.EventHandle>());
        // Registers without side-effect keys keep the runtime's handles.
        Assert.IsType<RegisterRWCS<FakeBus, Dev.Status>>(D.Status);
        // Latched bits and bits only a read changes have no setter.
        Assert.Null(typeof(Dev.Latched).GetProperty("LinkUp")!.SetMethod);
        Assert.Null(typeof(Dev.Semaphore).GetProperty("Taken")!.SetMethod);
        Assert.NotNull(typeof(Dev.Ready).GetProperty("Done")!.SetMethod);
        _ = D.Latched;
        _ = D.Drain;
        Assert.Empty(_dev.Log); // a handle performs no access
    }

    [Fact]
    public void ReadModifyWriteSendsEveryEffectBitAtTheLevelThatDoesNothing()
    {
        _dev.Poke32(0x58, 0x0000_123F); // every effect bit reads 1, Level = 0x12
        var e = D.Effects.Read();
        e.Level = 0x34;
        D.Effects.Write(e);
        // write-1 kinds (bits 0..2) as 0, write-0 kinds (bits 3..5) as 1, Level as set, reserved bit 31 as 1.
        Assert.Equal("W32 0x58=0x80003438", _dev.Log.Last());
        _dev.Poke32(0x58, 0); // every effect bit reads 0: still sent as no-effect levels
        D.Effects.Write(D.Effects.Read());
        Assert.Equal("W32 0x58=0x80000038", _dev.Log.Last());
    }

    [Fact]
    public void ClearSetAndToggleSendOnlyTheLevelsTheyName()
    {
        var c = default(Dev.Effects);
        c.C1 = true; c.C0 = true; c.S1 = true; c.S0 = true; c.T1 = true; c.T0 = true; c.Level = 0x5;
        D.Effects.Clear(c);  // woclr C1 as 1, wzc C0 as 0; S1/T1 idle 0, S0/T0 idle 1
        Assert.Equal("W32 0x58=0x80000531", _dev.Log.Last());
        D.Effects.Set(c);    // woset S1 as 1, wzs S0 as 0; C1/T1 idle 0, C0/T0 idle 1
        Assert.Equal("W32 0x58=0x8000052A", _dev.Log.Last());
        D.Effects.Toggle(c); // wot T1 as 1, wzt T0 as 0; C1/S1 idle 0, C0/S0 idle 1
        Assert.Equal("W32 0x58=0x8000051C", _dev.Log.Last());
        var none = default(Dev.Effects);
        D.Effects.Clear(none); // asking for nothing sends every effect bit at its idle level
        Assert.Equal("W32 0x58=0x80000038", _dev.Log.Last());
        D.Flip.Toggle(0x00F0);
        Assert.Equal("W16 0x6C=0xF0", _dev.Log.Last());
    }

    [Fact]
    public void WriteZeroToClearIsSpelledClearAndSendsAZeroOnlyWhereAsked()
    {
        _dev.Poke32(0x70, 0x3); // Busy and Done
        var r = D.Ready.Read();
        Assert.True(r.Done);
        D.Ready.Clear(default);                 // nothing asked: Done sent as 1 (no effect)
        Assert.Equal("W32 0x70=0x2", _dev.Log.Last());
        D.Ready.Clear(new Dev.Ready { Done = true });
        Assert.Equal("W32 0x70=0x0", _dev.Log.Last());
    }

    [Fact]
    public void GeneratedHandlesWorkInArraysAndRepeatedGroups()
    {
        Assert.Equal(new[] { "Clear", "Read" }, Methods<Dev<FakeBus>.AcksHandle>());
        Assert.Equal(new[] { "ReadAndClear" }, Methods<Dev<FakeBus>.DropsHandle>());
        D.Acks(2).Clear(0x5);
        _dev.Poke32(0x1060, 9);
        Assert.Equal(9u, D.Ring(1).Drops.ReadAndClear().Bits);
        Assert.Equal(new[] { "W32 0x88=0x5", "R32 0x1060" }, _dev.Log);
    }

    [Fact]
    public void ReadsWithSideEffectsAreOneAccessEach()
    {
        _dev.Poke32(0x50, 0x2);
        Dev.Latched l = D.Latched.ReadAndUnlatch();
        Assert.False(l.LinkUp);
        Assert.True(l.Fault);
        _dev.Poke32(0x5C, 7);
        Assert.Equal(7u, (uint)D.Drain.ReadAndClear());
        D.Drain.WriteAndClear(0);
        D.Arm.WriteAndSet(1);
        Assert.Equal(new[] { "R32 0x50", "R32 0x5C", "W32 0x5C=0x0", "W8 0x60=0x1" }, _dev.Log);
    }
}
