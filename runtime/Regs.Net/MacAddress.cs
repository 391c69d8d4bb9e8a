using System;

namespace Regs.Net;

/// <summary>A 48-bit Ethernet address, held in a ulong with byte 0 (first on the wire) lowest.</summary>
public readonly struct MacAddress
{
    /// <summary>The six bytes, byte 0 in bits 7:0.</summary>
    public readonly ulong Bits;

    /// <summary>The address whose byte i is bits 8i+7:8i of <paramref name="bits"/>.</summary>
    public MacAddress(ulong bits) { Bits = bits & 0xFFFF_FFFF_FFFFul; }

    /// <summary>The broadcast address.</summary>
    public static MacAddress Broadcast => new(0xFFFF_FFFF_FFFFul);

    /// <summary>Byte <paramref name="i"/> (0-5) in wire order.</summary>
    public byte this[int i] => (byte)(Bits >> (8 * (i % 6)));

    /// <summary>The address from the first six bytes of <paramref name="bytes"/>.</summary>
    public static MacAddress From(ReadOnlySpan<byte> bytes)
    {
        ulong bits = 0;
        for (int i = 0; i < 6 && i < bytes.Length; i++) bits |= (ulong)bytes[i] << (8 * i);
        return new MacAddress(bits);
    }

    /// <summary>Writes the six bytes in wire order.</summary>
    public void CopyTo(Span<byte> destination)
    {
        for (int i = 0; i < 6 && i < destination.Length; i++) destination[i] = this[i];
    }

    /// <summary>True for a group (multicast or broadcast) address.</summary>
    public bool IsMulticast => (Bits & 1) != 0;

    /// <summary>Characters of the text form aa:bb:cc:dd:ee:ff.</summary>
    public const int TextLength = 17;

    /// <summary>Writes aa:bb:cc:dd:ee:ff (<see cref="TextLength"/> characters) into <paramref name="text"/>, as UTF-8.</summary>
    public void Format(Span<byte> text)
    {
        for (int i = 0; i < 6 && i * 3 + 1 < text.Length; i++)
        {
            text[i * 3] = (byte)"0123456789abcdef"u8[this[i] >> 4];
            text[i * 3 + 1] = (byte)"0123456789abcdef"u8[this[i] & 0xF];
            if (i < 5 && i * 3 + 2 < text.Length) text[i * 3 + 2] = (byte)':';
        }
    }

#if !REGS_BAREMETAL
    /// <summary>aa:bb:cc:dd:ee:ff (hosted builds only: it allocates a string).</summary>
    public override string ToString()
    {
        Span<byte> text = stackalloc byte[TextLength];
        Format(text);
        return System.Text.Encoding.ASCII.GetString(text);
    }
#endif
}
