using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace Regs.Docs.Tests;

/// <summary>A minimal PNG decoder (8-bit greyscale/RGB/RGBA, not interlaced): enough to look at screenshots.</summary>
internal sealed class Png
{
    public int Width { get; }
    public int Height { get; }
    private readonly byte[] _pixels; // RGB, 3 bytes per pixel

    private Png(int w, int h, byte[] pixels) { Width = w; Height = h; _pixels = pixels; }

    public (byte R, byte G, byte B) this[int x, int y]
    {
        get { int i = (y * Width + x) * 3; return (_pixels[i], _pixels[i + 1], _pixels[i + 2]); }
    }

    public static Png Load(string path)
    {
        byte[] data = File.ReadAllBytes(path);
        ReadOnlySpan<byte> sig = new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 };
        if (!data.AsSpan(0, 8).SequenceEqual(sig)) throw new InvalidDataException("not a PNG");
        int pos = 8, width = 0, height = 0, colourType = 0;
        var idat = new MemoryStream();
        while (pos + 8 <= data.Length)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(pos));
            string type = System.Text.Encoding.ASCII.GetString(data, pos + 4, 4);
            var body = data.AsSpan(pos + 8, len);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(body);
                height = BinaryPrimitives.ReadInt32BigEndian(body.Slice(4));
                if (body[8] != 8 || body[12] != 0) throw new NotSupportedException("only 8-bit non-interlaced PNGs");
                colourType = body[9];
            }
            else if (type == "IDAT") idat.Write(body);
            else if (type == "IEND") break;
            pos += 12 + len;
        }
        int bpp = colourType switch { 0 => 1, 2 => 3, 4 => 2, 6 => 4, _ => throw new NotSupportedException("colour type " + colourType) };
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        int stride = width * bpp;
        var prev = new byte[stride];
        var cur = new byte[stride];
        var pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            int filter = z.ReadByte();
            z.ReadExactly(cur);
            for (int i = 0; i < stride; i++)
            {
                int a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
                int pred = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException("filter " + filter),
                };
                cur[i] = (byte)(cur[i] + pred);
            }
            for (int x = 0; x < width; x++)
            {
                int o = (y * width + x) * 3, s = x * bpp;
                if (bpp <= 2) { pixels[o] = pixels[o + 1] = pixels[o + 2] = cur[s]; }
                else { pixels[o] = cur[s]; pixels[o + 1] = cur[s + 1]; pixels[o + 2] = cur[s + 2]; }
            }
            (prev, cur) = (cur, prev);
        }
        return new Png(width, height, pixels);
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
