using System;

namespace Regs.Runtime.BareMetal.Uefi;

/// <summary>
/// UTF-8 text to the UEFI console output (section 12.4), which takes UTF-16. Text is converted
/// in chunks on the stack; "\n" becomes "\r\n"; malformed UTF-8 and characters beyond the BMP
/// become U+FFFD (OVMF's serial terminal shows anything outside ASCII as "?"). OVMF with
/// -nographic mirrors the console to the serial port.
/// </summary>
public static unsafe class UefiConsole
{
    /// <summary>UTF-16 code units converted per OutputString call.</summary>
    public const int ChunkChars = 120;

    private const char Replacement = '\uFFFD';

    private static EfiSimpleTextOutputProtocol* s_out;

    /// <summary>Uses <paramref name="output"/> from now on (<see cref="UefiPlatform.Initialize"/> attaches ConOut).</summary>
    public static void Attach(EfiSimpleTextOutputProtocol* output) { s_out = output; }

    /// <summary>True when there is a console to write to.</summary>
    public static bool IsAttached => s_out != null && s_out->OutputString != null;

    /// <summary>Writes <paramref name="utf8"/> followed by a new line.</summary>
    public static void WriteLine(ReadOnlySpan<byte> utf8)
    {
        Write(utf8);
        Write("\r\n"u8);
    }

    /// <summary>Writes <paramref name="utf8"/> as it is (each "\n" as "\r\n").</summary>
    public static void Write(ReadOnlySpan<byte> utf8)
    {
        if (!IsAttached) return;
        char* chunk = stackalloc char[ChunkChars + 4];   // room for "\r\n" and the terminator
        int n = 0;
        char previous = '\0';
        int i = 0;
        while (i < utf8.Length)
        {
            uint cp = Decode(utf8, ref i);
            if (cp == '\n' && previous != '\r') chunk[n++] = '\r';
            // The console takes UCS-2 (OVMF renders surrogate pairs as garbage): U+FFFD beyond the BMP.
            chunk[n++] = cp >= 0x10000 ? Replacement : (char)cp;
            previous = chunk[n - 1];
            if (n >= ChunkChars) { Flush(chunk, n); n = 0; }
        }
        if (n > 0) Flush(chunk, n);
    }

    private static void Flush(char* chunk, int n)
    {
        chunk[n] = '\0';
        s_out->OutputString(s_out, chunk);
    }

    // One code point from UTF-8 (RFC 3629 section 3) at i, advancing i; U+FFFD for a malformed,
    // overlong or truncated sequence (consuming one byte) or a surrogate.
    private static uint Decode(ReadOnlySpan<byte> utf8, ref int i)
    {
        uint b0 = utf8[i];
        int extra;
        uint cp;
        uint min;
        if (b0 < 0x80) { i++; return b0; }
        else if ((b0 & 0xE0) == 0xC0) { extra = 1; cp = b0 & 0x1F; min = 0x80; }
        else if ((b0 & 0xF0) == 0xE0) { extra = 2; cp = b0 & 0x0F; min = 0x800; }
        else if ((b0 & 0xF8) == 0xF0) { extra = 3; cp = b0 & 0x07; min = 0x10000; }
        else { i++; return Replacement; }
        if (utf8.Length - i <= extra) { i++; return Replacement; }
        for (int k = 1; k <= extra; k++)
        {
            uint b = utf8[i + k];
            if ((b & 0xC0) != 0x80) { i++; return Replacement; }
            cp = cp << 6 | (b & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) { i++; return Replacement; }
        i += extra + 1;
        return cp;
    }
}
