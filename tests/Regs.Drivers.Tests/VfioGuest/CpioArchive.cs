using System;
using System.IO;
using System.Text;

namespace Regs.Drivers.Tests.VfioGuest;

/// <summary>
/// Writes a cpio archive in the "newc" format the Linux kernel unpacks as initramfs: directories,
/// files, symlinks and character devices, owned by root, mtime 0 (so equal inputs give equal bytes).
/// </summary>
public sealed class CpioArchive : IDisposable
{
    private const int Directory = 0x4000, Regular = 0x8000, Symlink = 0xA000, CharDevice = 0x2000;
    private readonly Stream _out;
    private int _inode = 1;
    private bool _finished;

    /// <summary>An archive written to <paramref name="output"/> (left open).</summary>
    public CpioArchive(Stream output) => _out = output;

    /// <summary>Adds a directory (parents must come first).</summary>
    public void AddDirectory(string path, int permissions = 0x1ED /* 0755 */) => Entry(path, Directory | permissions, ReadOnlySpan<byte>.Empty, nlink: 2);

    /// <summary>Adds a regular file with <paramref name="data"/>.</summary>
    public void AddFile(string path, ReadOnlySpan<byte> data, int permissions = 0x1A4 /* 0644 */) => Entry(path, Regular | permissions, data);

    /// <summary>Adds an executable file (mode 0755).</summary>
    public void AddExecutable(string path, ReadOnlySpan<byte> data) => AddFile(path, data, 0x1ED);

    /// <summary>Adds a symbolic link to <paramref name="target"/>.</summary>
    public void AddSymlink(string path, string target) => Entry(path, Symlink | 0x1FF, Encoding.UTF8.GetBytes(target));

    /// <summary>Adds a character device node (e.g. /dev/console = 5,1).</summary>
    public void AddCharDevice(string path, int major, int minor, int permissions = 0x180 /* 0600 */)
        => Entry(path, CharDevice | permissions, ReadOnlySpan<byte>.Empty, rdevMajor: major, rdevMinor: minor);

    /// <summary>Writes the trailer; nothing can be added afterwards.</summary>
    public void Finish()
    {
        if (_finished) return;
        Entry("TRAILER!!!", 0, ReadOnlySpan<byte>.Empty, nlink: 1, inode: 0);
        _finished = true;
        _out.Flush();
    }

    /// <summary>Finishes the archive.</summary>
    public void Dispose() => Finish();

    private void Entry(string path, int mode, ReadOnlySpan<byte> data, int nlink = 1, int rdevMajor = 0, int rdevMinor = 0, int? inode = null)
    {
        if (_finished) throw new InvalidOperationException("the archive is finished");
        byte[] name = Encoding.UTF8.GetBytes(path.TrimStart('/') + "\0");
        var header = new StringBuilder("070701");
        foreach (int field in new[] { inode ?? _inode++, mode, 0, 0, nlink, 0, data.Length, 0, 0, rdevMajor, rdevMinor, name.Length, 0 })
            header.Append(field.ToString("x8"));
        _out.Write(Encoding.ASCII.GetBytes(header.ToString()));
        _out.Write(name);
        Pad(110 + name.Length);
        _out.Write(data);
        Pad(data.Length);
    }

    private void Pad(int length)
    {
        int pad = (4 - length % 4) % 4;
        for (int i = 0; i < pad; i++) _out.WriteByte(0);
    }
}
