using System;
using System.Collections.Generic;
using System.Text;

namespace Regs.Generator.Tests.Fuzz;

/// <summary>
/// Mutations of the file's bytes, below YAML: bit flips, truncation, insertions of YAML tokens and
/// random bytes, invalid UTF-8 sequences, tabs and carriage returns, overwritten spans.
/// </summary>
internal static class ByteMutator
{
    public delegate void Mutation(Random rng, List<byte> bytes);

    public static readonly (string Name, Mutation Apply)[] All =
    {
        ("bit-flip", BitFlip),
        ("truncate", Truncate),
        ("insert-token", InsertToken),
        ("invalid-utf8", InvalidUtf8),
        ("tabs-crs", TabsAndCrs),
        ("random-bytes", RandomBytes),
    };

    /// <summary>YAML's structural characters and directives, and the language's own words.</summary>
    private static readonly string[] Tokens =
    {
        ":", ": ", "- ", "-", "{", "}", "[", "]", ",", "?", "? ", "&a ", "*a", "!!str ", "!x ", "|", ">", "'", "\"", "#", "%YAML 1.2\n",
        "---\n", "...\n", "\n", "\n  ", "    ", "\\", "\\u", "@", "`", "\uFEFF", "\u2028", "\u0085", "\0", "0x", "name: ", "offset: 0x10",
        "bits: \"99:0\"", "registers:\n", "- { name: X, offset: 0 }\n", "{ name: [", "*", "&",
    };

    private static readonly byte[][] BadUtf8 =
    {
        new byte[] { 0xC3, 0x28 }, new byte[] { 0xA0, 0xA1 }, new byte[] { 0xE2, 0x28, 0xA1 }, new byte[] { 0xF0, 0x28, 0x8C, 0xBC },
        new byte[] { 0xFF }, new byte[] { 0xFE, 0xFF }, new byte[] { 0xC0, 0x80 }, new byte[] { 0xED, 0xA0, 0x80 }, new byte[] { 0xF4, 0x90, 0x80, 0x80 },
        new byte[] { 0x80 }, new byte[] { 0xE2, 0x82 },
    };

    private static int At(Random rng, List<byte> bytes) => rng.Next(bytes.Count + 1);

    private static void BitFlip(Random rng, List<byte> bytes)
    {
        if (bytes.Count == 0) return;
        for (int n = 1 + rng.Next(8); n > 0; n--)
        {
            int i = rng.Next(bytes.Count);
            bytes[i] ^= (byte)(1 << rng.Next(8));
        }
    }

    private static void Truncate(Random rng, List<byte> bytes)
    {
        if (bytes.Count == 0) return;
        int at = rng.Next(bytes.Count);
        bytes.RemoveRange(at, bytes.Count - at);
    }

    private static void InsertToken(Random rng, List<byte> bytes)
    {
        for (int n = 1 + rng.Next(3); n > 0; n--)
            bytes.InsertRange(At(rng, bytes), Encoding.UTF8.GetBytes(Tokens[rng.Next(Tokens.Length)]));
    }

    private static void InvalidUtf8(Random rng, List<byte> bytes) => bytes.InsertRange(At(rng, bytes), BadUtf8[rng.Next(BadUtf8.Length)]);

    private static void TabsAndCrs(Random rng, List<byte> bytes)
    {
        if (rng.Next(3) == 0)
        {
            // Every line end rewritten: old Mac (CR) or Windows (CRLF) files.
            bool crlf = rng.Next(2) == 0;
            for (int i = bytes.Count - 1; i >= 0; i--)
                if (bytes[i] == (byte)'\n') { if (crlf) bytes.Insert(i, (byte)'\r'); else bytes[i] = (byte)'\r'; }
            return;
        }
        for (int n = 1 + rng.Next(4); n > 0; n--)
            bytes.Insert(At(rng, bytes), rng.Next(2) == 0 ? (byte)'\t' : (byte)'\r');
    }

    private static void RandomBytes(Random rng, List<byte> bytes)
    {
        int at = At(rng, bytes), length = 1 + rng.Next(16);
        for (int i = 0; i < length; i++)
        {
            byte b = (byte)rng.Next(256);
            if (at + i < bytes.Count && rng.Next(2) == 0) bytes[at + i] = b;
            else bytes.Insert(Math.Min(at + i, bytes.Count), b);
        }
    }
}
