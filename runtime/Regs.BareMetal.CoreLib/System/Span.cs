using System.Runtime.CompilerServices;
using Regs.BareMetal;

namespace System
{
    // Span and ReadOnlySpan over raw memory. There is no GC that could move anything, so a pointer
    // and a length suffice (no ref fields, no Unsafe intrinsics). Out-of-range accesses halt
    // through Regs.BareMetal.FailFast (there are no exceptions).

    /// <summary>A contiguous region of memory.</summary>
    public readonly unsafe ref struct Span<T>
    {
        private readonly T* _pointer;
        private readonly int _length;

        /// <summary><paramref name="length"/> elements at <paramref name="pointer"/> (stackalloc, DMA memory).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Span(void* pointer, int length)
        {
            if (length < 0) FailFast.Halt(FailFast.Reason.ArgumentOutOfRange);
            _pointer = (T*)pointer;
            _length = length;
        }

        /// <summary>The element at <paramref name="index"/>.</summary>
        public ref T this[int index]
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get
            {
                if ((uint)index >= (uint)_length) FailFast.Halt(FailFast.Reason.IndexOutOfRange);
                return ref _pointer[index];
            }
        }

        /// <summary>The number of elements.</summary>
        public int Length => _length;

        /// <summary>True when there are no elements.</summary>
        public bool IsEmpty => _length == 0;

        internal T* Pointer => _pointer;

        /// <summary>The elements from <paramref name="start"/> on.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Span<T> Slice(int start)
        {
            if ((uint)start > (uint)_length) FailFast.Halt(FailFast.Reason.ArgumentOutOfRange);
            return new Span<T>(_pointer + start, _length - start);
        }

        /// <summary><paramref name="length"/> elements from <paramref name="start"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Span<T> Slice(int start, int length)
        {
            if ((ulong)(uint)start + (ulong)(uint)length > (ulong)(uint)_length) FailFast.Halt(FailFast.Reason.ArgumentOutOfRange);
            return new Span<T>(_pointer + start, length);
        }

        /// <summary>Sets every element to its default value.</summary>
        public void Clear() => Memory.Clear(_pointer, (nuint)_length * (nuint)sizeof(T));

        /// <summary>Copies the elements to <paramref name="destination"/>, which must be at least as long; overlapping is allowed.</summary>
        public void CopyTo(Span<T> destination)
        {
            if ((uint)_length > (uint)destination._length) FailFast.Halt(FailFast.Reason.ArgumentOutOfRange);
            Memory.Move(destination._pointer, _pointer, (nuint)_length * (nuint)sizeof(T));
        }

        /// <summary>A reference to the first element (for <c>fixed</c>); a null reference when empty.</summary>
        public ref T GetPinnableReference() => ref *_pointer;

        /// <summary>The same elements, read-only.</summary>
        public static implicit operator ReadOnlySpan<T>(Span<T> span) => new(span._pointer, span._length);
    }

    /// <summary>A contiguous read-only region of memory; also what <c>"..."u8</c> literals are.</summary>
    public readonly unsafe ref struct ReadOnlySpan<T>
    {
        private readonly T* _pointer;
        private readonly int _length;

        /// <summary><paramref name="length"/> elements at <paramref name="pointer"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ReadOnlySpan(void* pointer, int length)
        {
            if (length < 0) FailFast.Halt(FailFast.Reason.ArgumentOutOfRange);
            _pointer = (T*)pointer;
            _length = length;
        }

        /// <summary>
        /// <paramref name="length"/> elements of <paramref name="array"/> from <paramref name="start"/>. The C#
        /// compiler requires this constructor to exist for <c>"..."u8</c> literals (which it then
        /// compiles to the pointer constructor over data in the image).
        /// </summary>
        public ReadOnlySpan(T[] array, int start, int length)
        {
            int available = array == null ? 0 : array.Length;
            if ((ulong)(uint)start + (ulong)(uint)length > (ulong)(uint)available) FailFast.Halt(FailFast.Reason.ArgumentOutOfRange);
            _pointer = length == 0 ? null : (T*)Memory.AddressOf(ref array[start]);
            _length = length;
        }

        /// <summary>The element at <paramref name="index"/>.</summary>
        public ref readonly T this[int index]
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get
            {
                if ((uint)index >= (uint)_length) FailFast.Halt(FailFast.Reason.IndexOutOfRange);
                return ref _pointer[index];
            }
        }

        /// <summary>The number of elements.</summary>
        public int Length => _length;

        /// <summary>True when there are no elements.</summary>
        public bool IsEmpty => _length == 0;

        /// <summary>The elements from <paramref name="start"/> on.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ReadOnlySpan<T> Slice(int start)
        {
            if ((uint)start > (uint)_length) FailFast.Halt(FailFast.Reason.ArgumentOutOfRange);
            return new ReadOnlySpan<T>(_pointer + start, _length - start);
        }

        /// <summary><paramref name="length"/> elements from <paramref name="start"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ReadOnlySpan<T> Slice(int start, int length)
        {
            if ((ulong)(uint)start + (ulong)(uint)length > (ulong)(uint)_length) FailFast.Halt(FailFast.Reason.ArgumentOutOfRange);
            return new ReadOnlySpan<T>(_pointer + start, length);
        }

        /// <summary>Copies the elements to <paramref name="destination"/>, which must be at least as long; overlapping is allowed.</summary>
        public void CopyTo(Span<T> destination)
        {
            if ((uint)_length > (uint)destination.Length) FailFast.Halt(FailFast.Reason.ArgumentOutOfRange);
            Memory.Move(destination.Pointer, _pointer, (nuint)_length * (nuint)sizeof(T));
        }

        /// <summary>A reference to the first element (for <c>fixed</c>); a null reference when empty.</summary>
        public ref readonly T GetPinnableReference() => ref *_pointer;
    }
}
