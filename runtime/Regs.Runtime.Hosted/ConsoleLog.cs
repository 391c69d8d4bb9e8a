using System;
using System.Text;

namespace Regs.Runtime.Hosted;

/// <summary>Writes driver log lines to standard error, prefixed with a source name.</summary>
public static class ConsoleLog
{
    /// <summary>Set to false to silence driver logs (tests keep them on; they go to stderr).</summary>
    public static bool Enabled { get; set; } = true;

    /// <summary>Writes one UTF-8 line.</summary>
    public static void Write(string source, ReadOnlySpan<byte> utf8Line)
    {
        if (Enabled) Console.Error.WriteLine($"[{source}] {Encoding.UTF8.GetString(utf8Line)}");
    }
}
