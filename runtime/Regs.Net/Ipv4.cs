using System;

namespace Regs.Net;

/// <summary>
/// IPv4 addresses as uints with the first octet highest (10.0.2.2 is 0x0A000202), and their
/// dotted text.
/// </summary>
public static class Ipv4
{
    /// <summary>Longest dotted text of an address ("255.255.255.255").</summary>
    public const int MaxTextLength = 15;

    /// <summary>The address a.b.c.d.</summary>
    public static uint Address(byte a, byte b, byte c, byte d) => (uint)a << 24 | (uint)b << 16 | (uint)c << 8 | d;

    /// <summary>Writes <paramref name="address"/> as dotted UTF-8 text; returns the length, 0 if <paramref name="text"/> is too short.</summary>
    public static int Format(uint address, Span<byte> text)
    {
        Span<byte> digits = stackalloc byte[3];
        int at = 0;
        for (int shift = 24; shift >= 0; shift -= 8)
        {
            uint octet = (address >> shift) & 0xFF;
            int n = 0;
            do { digits[n++] = (byte)('0' + octet % 10); octet /= 10; } while (octet != 0);
            if (at + n + (shift != 0 ? 1 : 0) > text.Length) return 0;
            while (n > 0) text[at++] = digits[--n];
            if (shift != 0) text[at++] = (byte)'.';
        }
        return at;
    }

#if !REGS_BAREMETAL
    /// <summary>Dotted text of <paramref name="address"/> (hosted builds only: it allocates a string).</summary>
    public static string Text(uint address)
    {
        Span<byte> text = stackalloc byte[MaxTextLength];
        return System.Text.Encoding.ASCII.GetString(text.Slice(0, Format(address, text)));
    }
#endif
}
