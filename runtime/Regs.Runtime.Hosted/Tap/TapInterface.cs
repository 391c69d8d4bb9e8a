using System;
using System.Text;
using Regs.Runtime.Hosted.Native;

namespace Regs.Runtime.Hosted.Tap;

/// <summary>
/// A Linux TAP interface (<c>/dev/net/tun</c>, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR) opened
/// non-blocking, every frame preceded by a 12-byte <see cref="VirtioNetHeader"/>
/// (TUNSETVNETHDRSZ 12, little-endian with TUNSETVNETLE). The interface lives while this object
/// does: closing the descriptor removes it (it is not made persistent). Setup throws
/// <see cref="TapException"/>; <see cref="Read"/>, <see cref="Write"/> and <see cref="Wait"/>
/// return errno values and never allocate.
/// </summary>
public sealed unsafe class TapInterface : IDisposable
{
    // include/uapi/linux/if_tun.h: _IOW('T', n, int) = 0x40045400 | n, _IOR = 0x80045400 | n.
    private const nuint TUNSETIFF = 0x400454ca;
    private const nuint TUNSETOFFLOAD = 0x400454d0;
    private const nuint TUNSETVNETHDRSZ = 0x400454d8;
    private const nuint TUNSETVNETLE = 0x400454dc;
    private const short IFF_TAP = 0x0002, IFF_NO_PI = 0x1000, IFF_VNET_HDR = 0x4000;
    // include/uapi/linux/sockios.h; net/if.h.
    private const nuint SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914, SIOCSIFMTU = 0x8922, SIOCSIFHWADDR = 0x8924;
    private const short IFF_UP = 0x1;
    private const ushort ARPHRD_ETHER = 1;
    // struct ifreq: char ifr_name[IFNAMSIZ = 16], then a 24-byte union (flags, mtu, hwaddr).
    private const int IfNameSize = 16, IfReqSize = 40;

    private int _fd;

    private TapInterface(int fd, string name, TunOffloads offloads, int mtu)
    {
        _fd = fd;
        Name = name;
        Offloads = offloads;
        Mtu = mtu;
    }

    /// <summary>The interface's name (the one asked for, or the kernel's choice, tapN).</summary>
    public string Name { get; }

    /// <summary>The descriptor (non-blocking), for poll; -1 once disposed.</summary>
    public int FileDescriptor => _fd;

    /// <summary>What the kernel may hand over unfinished (TUNSETOFFLOAD).</summary>
    public TunOffloads Offloads { get; }

    /// <summary>The MTU set.</summary>
    public int Mtu { get; }

    /// <summary>
    /// Creates (or attaches to) TAP interface <paramref name="name"/> (null or empty: the kernel
    /// picks tapN), with station address <paramref name="mac"/> (6 bytes), MTU
    /// <paramref name="mtu"/> and <paramref name="offloads"/>, and brings it up when
    /// <paramref name="up"/>. Needs CAP_NET_ADMIN.
    /// </summary>
    public static TapInterface Open(string? name, ReadOnlySpan<byte> mac, int mtu, TunOffloads offloads, bool up)
    {
        if (mac.Length != 6) throw new ArgumentException("a MAC address is 6 bytes", nameof(mac));
        if (name != null && Encoding.UTF8.GetByteCount(name) >= IfNameSize) throw new ArgumentException($"an interface name has at most {IfNameSize - 1} bytes: {name}", nameof(name));
        if ((offloads & ~TunOffloads.Checksum) != 0 && (offloads & TunOffloads.Checksum) == 0)
            throw new ArgumentException("segmentation offloads need the checksum offload (the kernel refuses TSO without TUN_F_CSUM)", nameof(offloads));

        byte* path = stackalloc byte[] { (byte)'/', (byte)'d', (byte)'e', (byte)'v', (byte)'/', (byte)'n', (byte)'e', (byte)'t', (byte)'/', (byte)'t', (byte)'u', (byte)'n', 0 };
        int fd = HostedLibc.Open(path, HostedLibc.O_RDWR | HostedLibc.O_NONBLOCK | HostedLibc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int e = HostedLibc.Errno;
            throw new TapException($"cannot open /dev/net/tun ({HostedLibc.Describe(e)}): needs the tun module (modprobe tun) and CAP_NET_ADMIN", e);
        }
        try
        {
            byte* ifr = stackalloc byte[IfReqSize];
            new Span<byte>(ifr, IfReqSize).Clear();
            if (!string.IsNullOrEmpty(name)) Encoding.UTF8.GetBytes(name, new Span<byte>(ifr, IfNameSize - 1));
            *(short*)(ifr + IfNameSize) = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
            Check(HostedLibc.Ioctl(fd, TUNSETIFF, ifr), $"TUNSETIFF {name ?? "(any name)"}");
            string actual = Encoding.UTF8.GetString(new ReadOnlySpan<byte>(ifr, IfNameSize).Slice(0, IndexOfZero(ifr, IfNameSize)));

            int headerLength = VirtioNetHeader.Length, littleEndian = 1;
            Check(HostedLibc.Ioctl(fd, TUNSETVNETHDRSZ, &headerLength), $"TUNSETVNETHDRSZ {headerLength} on {actual}");
            Check(HostedLibc.Ioctl(fd, TUNSETVNETLE, &littleEndian), $"TUNSETVNETLE on {actual}");
            Check(HostedLibc.IoctlValue(fd, TUNSETOFFLOAD, (nint)(uint)offloads), $"TUNSETOFFLOAD {offloads} on {actual}");

            int socket = HostedLibc.Socket(HostedLibc.AF_INET, HostedLibc.SOCK_DGRAM | HostedLibc.SOCK_CLOEXEC, 0);
            if (socket < 0) Check(-1, "socket(AF_INET, SOCK_DGRAM) for the interface ioctls");
            try
            {
                Request(ifr, actual);
                *(ushort*)(ifr + IfNameSize) = ARPHRD_ETHER;   // struct sockaddr: sa_family, then sa_data
                mac.CopyTo(new Span<byte>(ifr + IfNameSize + 2, 6));
                Check(HostedLibc.Ioctl(socket, SIOCSIFHWADDR, ifr), $"SIOCSIFHWADDR on {actual}");
                Request(ifr, actual);
                *(int*)(ifr + IfNameSize) = mtu;
                Check(HostedLibc.Ioctl(socket, SIOCSIFMTU, ifr), $"SIOCSIFMTU {mtu} on {actual}");
                if (up)
                {
                    Request(ifr, actual);
                    Check(HostedLibc.Ioctl(socket, SIOCGIFFLAGS, ifr), $"SIOCGIFFLAGS on {actual}");
                    *(short*)(ifr + IfNameSize) |= IFF_UP;
                    Check(HostedLibc.Ioctl(socket, SIOCSIFFLAGS, ifr), $"SIOCSIFFLAGS IFF_UP on {actual}");
                }
            }
            finally { HostedLibc.Close(socket); }
            return new TapInterface(fd, actual, offloads, mtu);
        }
        catch
        {
            HostedLibc.Close(fd);
            throw;
        }
    }

    private static void Request(byte* ifr, string name)
    {
        new Span<byte>(ifr, IfReqSize).Clear();
        Encoding.UTF8.GetBytes(name, new Span<byte>(ifr, IfNameSize - 1));
    }

    private static int IndexOfZero(byte* p, int length)
    {
        int i = 0;
        while (i < length && p[i] != 0) i++;
        return i;
    }

    private static void Check(int result, string what)
    {
        if (result >= 0) return;
        int e = HostedLibc.Errno;
        throw new TapException($"{what} failed ({HostedLibc.Describe(e)})", e);
    }

    /// <summary>
    /// Reads one frame: its header into <paramref name="header"/>, its bytes into
    /// <paramref name="frame"/> (readv, so no copy). Returns the frame's length, or a negative
    /// errno (-EAGAIN: nothing to read). A frame longer than <paramref name="frame"/> is cut by the
    /// kernel, so give room for the longest frame the offloads allow.
    /// </summary>
    public int Read(ref VirtioNetHeader header, Span<byte> frame)
    {
        fixed (VirtioNetHeader* h = &header)
        fixed (byte* body = frame)
        {
            HostedLibc.IoVec* iov = stackalloc HostedLibc.IoVec[2];
            iov[0] = new HostedLibc.IoVec { Base = h, Length = VirtioNetHeader.Length };
            iov[1] = new HostedLibc.IoVec { Base = body, Length = (nuint)frame.Length };
            nint n = HostedLibc.Readv(_fd, iov, 2);
            if (n < 0) return -HostedLibc.Errno;
            return n < VirtioNetHeader.Length ? -HostedLibc.EAGAIN : (int)(n - VirtioNetHeader.Length);
        }
    }

    /// <summary>Writes one frame with its header (writev). Returns the frame's length, or a negative errno.</summary>
    public int Write(in VirtioNetHeader header, ReadOnlySpan<byte> frame)
    {
        VirtioNetHeader copy = header;
        fixed (byte* body = frame)
        {
            HostedLibc.IoVec* iov = stackalloc HostedLibc.IoVec[2];
            iov[0] = new HostedLibc.IoVec { Base = &copy, Length = VirtioNetHeader.Length };
            iov[1] = new HostedLibc.IoVec { Base = body, Length = (nuint)frame.Length };
            nint n = HostedLibc.Writev(_fd, iov, 2);
            if (n < 0) return -HostedLibc.Errno;
            return (int)(n - VirtioNetHeader.Length);
        }
    }

    /// <summary>
    /// Waits at most <paramref name="timeoutMilliseconds"/> (0: just look) until the interface has
    /// a frame to read (or, with <paramref name="writable"/>, room to write) or one of
    /// <paramref name="otherDescriptors"/> is readable. Returns 1 when the interface is ready, 2 when
    /// only another descriptor is, 0 after the timeout (or EINTR), a negative errno on failure.
    /// </summary>
    public int Wait(int timeoutMilliseconds, ReadOnlySpan<int> otherDescriptors = default, bool writable = false)
    {
        int count = 1 + (otherDescriptors.Length < 15 ? otherDescriptors.Length : 15);
        HostedLibc.PollFd* fds = stackalloc HostedLibc.PollFd[16];
        fds[0] = new HostedLibc.PollFd { Fd = _fd, Events = writable ? HostedLibc.POLLOUT : HostedLibc.POLLIN };
        for (int i = 1; i < count; i++) fds[i] = new HostedLibc.PollFd { Fd = otherDescriptors[i - 1], Events = HostedLibc.POLLIN };
        int ready = HostedLibc.Poll(fds, (nuint)count, timeoutMilliseconds);
        if (ready < 0) return HostedLibc.Errno == HostedLibc.EINTR ? 0 : -HostedLibc.Errno;
        if (ready == 0) return 0;
        return fds[0].Revents != 0 ? 1 : 2;
    }

    /// <summary>Closes the descriptor, which removes the interface.</summary>
    public void Dispose()
    {
        int fd = _fd;
        _fd = -1;
        if (fd >= 0) HostedLibc.Close(fd);
    }
}
