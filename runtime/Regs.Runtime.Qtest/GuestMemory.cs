using System;
using System.IO;
using System.IO.MemoryMappedFiles;

namespace Regs.Runtime.Qtest;

/// <summary>
/// Guest RAM as this process sees it: the file QEMU's memory-backend-file (share=on) also maps,
/// so a byte written here is in the guest at once and the other way round. Guest-physical
/// address G below the PCI hole is file offset G.
/// </summary>
public sealed unsafe class GuestMemory : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _base;

    /// <summary>Creates (or truncates) <paramref name="path"/> to <paramref name="length"/> bytes and maps it shared.</summary>
    public GuestMemory(string path, long length)
    {
        Path = path;
        Length = length;
        // Sized here so QEMU finds a file of the right size and both sides map the same pages.
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite)) stream.SetLength(length);
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, length, MemoryMappedFileAccess.ReadWrite);
        _view = _file.CreateViewAccessor(0, length, MemoryMappedFileAccess.ReadWrite);
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _base);
    }

    /// <summary>The shared file (under /dev/shm).</summary>
    public string Path { get; }

    /// <summary>Size of guest RAM in bytes.</summary>
    public long Length { get; }

    /// <summary>The CPU pointer to guest-physical address 0.</summary>
    public byte* Base => _base;

    /// <summary>The CPU pointer to guest-physical <paramref name="address"/>, which must lie in RAM.</summary>
    public byte* At(ulong address) => address < (ulong)Length ? _base + address : throw new ArgumentOutOfRangeException(nameof(address));

    /// <summary>Guest RAM from <paramref name="address"/> as a span of <paramref name="length"/> bytes.</summary>
    public Span<byte> Span(ulong address, int length)
        => address + (ulong)length <= (ulong)Length ? new Span<byte>(_base + address, length) : throw new ArgumentOutOfRangeException(nameof(address));

    /// <summary>Unmaps and deletes the file.</summary>
    public void Dispose()
    {
        if (_base != null) { _view.SafeMemoryMappedViewHandle.ReleasePointer(); _base = null; }
        _view.Dispose();
        _file.Dispose();
        try { File.Delete(Path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
