using System.Runtime.CompilerServices;
using Regs.Runtime.Hosted;
using Regs.Runtime.Vfio.Native;

namespace Regs.Runtime.Vfio;

/// <summary>
/// The register-access backend for devices reached from Linux user space, in one of two ways:
/// a mapped pointer (an mmapped VFIO BAR or sysfs resource file: one volatile load or store per
/// access, like <see cref="MmioPointer{TClock}"/>), or a file descriptor and base offset (each
/// access one pread/pwrite of 1, 2 or 4 bytes: VFIO configuration space, a VFIO BAR that cannot
/// be mmapped, the sysfs config file). The default value reaches nothing: reads return all ones
/// (like an absent device) and writes are dropped. A failed pread/pwrite throws <see cref="VfioException"/>.
/// </summary>
public readonly unsafe struct UserspaceAccess : IRegisterAccess<UserspaceAccess>
{
    private readonly byte* _pointer;
    private readonly int _fdPlusOne;   // 0: no file (so default is "nothing", not stdin)
    private readonly long _offset;

    private UserspaceAccess(byte* pointer, int fdPlusOne, long offset)
    {
        _pointer = pointer;
        _fdPlusOne = fdPlusOne;
        _offset = offset;
    }

    /// <summary>Registers mapped at <paramref name="pointer"/>.</summary>
    public static UserspaceAccess Mapped(byte* pointer) => new(pointer, 0, 0);

    /// <summary>Registers reached by pread/pwrite on <paramref name="fileDescriptor"/> from file offset <paramref name="offset"/>.</summary>
    public static UserspaceAccess File(int fileDescriptor, long offset) => new(null, fileDescriptor + 1, offset);

    /// <summary>True when accesses are loads and stores through a mapping.</summary>
    public bool IsMapped => _pointer != null;

    /// <summary>True when accesses are pread/pwrite calls.</summary>
    public bool IsFile => _pointer == null && _fdPlusOne != 0;

    /// <summary>True for the default value, which reaches nothing.</summary>
    public bool IsNone => _pointer == null && _fdPlusOne == 0;

    /// <summary>The mapped address of offset 0 (null unless <see cref="IsMapped"/>).</summary>
    public byte* Pointer => _pointer;

    /// <summary>The file descriptor (-1 unless <see cref="IsFile"/>).</summary>
    public int FileDescriptor => _pointer == null ? _fdPlusOne - 1 : -1;

    /// <summary>The file offset of offset 0 (when <see cref="IsFile"/>).</summary>
    public long FileOffset => _offset;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte Read8(nuint offset)
    {
        if (_pointer != null) return ((Volatile8*)(_pointer + offset))->Value;
        byte value = 0xFF;
        if (_fdPlusOne != 0) ReadFile(offset, &value, 1);
        return value;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ushort Read16(nuint offset)
    {
        if (_pointer != null) return ((Volatile16*)(_pointer + offset))->Value;
        ushort value = 0xFFFF;
        if (_fdPlusOne != 0) ReadFile(offset, &value, 2);
        return value;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Read32(nuint offset)
    {
        if (_pointer != null) return ((Volatile32*)(_pointer + offset))->Value;
        uint value = 0xFFFF_FFFF;
        if (_fdPlusOne != 0) ReadFile(offset, &value, 4);
        return value;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write8(nuint offset, byte value)
    {
        if (_pointer != null) ((Volatile8*)(_pointer + offset))->Value = value;
        else if (_fdPlusOne != 0) WriteFile(offset, &value, 1);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write16(nuint offset, ushort value)
    {
        if (_pointer != null) ((Volatile16*)(_pointer + offset))->Value = value;
        else if (_fdPlusOne != 0) WriteFile(offset, &value, 2);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write32(nuint offset, uint value)
    {
        if (_pointer != null) ((Volatile32*)(_pointer + offset))->Value = value;
        else if (_fdPlusOne != 0) WriteFile(offset, &value, 4);
    }

    /// <inheritdoc/>
    public UserspaceAccess At(nuint offset)
    {
        if (_pointer != null) return new(_pointer + offset, 0, 0);
        return _fdPlusOne == 0 ? default : new(null, _fdPlusOne, _offset + (long)offset);
    }

    /// <summary>The process clock's delay (registers are reached in real time).</summary>
    public void Delay(uint microseconds) => MonotonicClock.Delay(microseconds);

    // Values are little-endian in the file and in memory on the little-endian hosts this runs on.
    private void ReadFile(nuint offset, void* value, int size)
    {
        long at = _offset + (long)offset;
        nint got = Libc.Pread(_fdPlusOne - 1, value, (nuint)size, at);
        if (got != size) throw Failed("pread", at, size, got);
    }

    private void WriteFile(nuint offset, void* value, int size)
    {
        long at = _offset + (long)offset;
        nint put = Libc.Pwrite(_fdPlusOne - 1, value, (nuint)size, at);
        if (put != size) throw Failed("pwrite", at, size, put);
    }

    private VfioException Failed(string call, long at, int size, nint result)
    {
        int errno = result < 0 ? Libc.Errno : 0;
        string why = result < 0 ? Libc.Describe(errno) : $"transferred {result} bytes";
        return new VfioException($"{call} of {size} bytes at file offset 0x{at:x} on fd {_fdPlusOne - 1} failed ({why}): is the device still open and the offset inside the region?", errno);
    }
}
