using System;
using System.Runtime.CompilerServices;
using Regs.BareMetal;
using Regs.Runtime;

namespace Regs.BareMetal.Image;

/// <summary>
/// Exercises at run time what the core library promises beyond plain structs: the bump heap
/// (class allocation, virtual calls, arrays), lazily run static constructors, the fence intrinsic,
/// stackalloc spans with u8 literals (and so the stack cookie), then prints one line:
/// "corelib ok heap=N" (the printer adds the prefix). Any failure halts through <see cref="FailFast"/>.
/// </summary>
public static unsafe class CoreLibSelfCheck
{
    /// <summary>Runs the checks; <paramref name="print"/> writes one line.</summary>
    public static void Run(delegate*<ReadOnlySpan<byte>, void> print)
    {
        nuint before = Heap.Remaining;
        Shape shape = MakeSquare(7);           // RhpNewFast + a virtual call
        int[] numbers = MakeArray(16);         // RhpNewArrayFast
        for (int i = 0; i < numbers.Length; i++) numbers[i] = i * i;
        MemoryOrder.Full();                    // Interlocked.MemoryBarrier, expanded by the JIT
        nuint now = Heap.Remaining;
        ulong late = LateInit.Value;           // the static constructor runs here, on first access
        bool ok = shape.Area() == 49 && numbers[15] == 225 && now < before && late == 0xC0FFEE + (ulong)now;

        Span<byte> buffer = stackalloc byte[96];
        var line = new LogLine(buffer);
        line.Add(ok ? "corelib ok heap="u8 : "corelib FAILED heap="u8);
        line.Dec(before - Heap.Remaining);
        print(line.Text);
        if (!ok) FailFast.Halt(FailFast.Reason.Requested);
    }

    // Not inlined: the objects escape, so the JIT cannot allocate them on the stack (.NET 10 does
    // that for objects and small arrays that do not escape) and the heap is really used.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Shape MakeSquare(int side) => new Square(side);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int[] MakeArray(int length) => new int[length];

    private abstract class Shape
    {
        public abstract int Area();
    }

    private sealed class Square : Shape
    {
        private readonly int _side;
        public Square(int side) { _side = side; }
        public override int Area() => _side * _side;
    }

    private static class LateInit
    {
        // Depends on run-time state, so ILC cannot preinitialise it: the constructor runs lazily.
        public static readonly ulong Value = 0xC0FFEE + (ulong)Heap.Remaining;
    }
}
