using System.Collections.Generic;
using System.Diagnostics;

namespace Regs.Runtime.Qtest;

/// <summary>
/// Starts QEMU under a small shell that also watches the caller's pipe to its stdin: when the pipe
/// closes (the caller disposed the process, or died in any way) QEMU gets SIGTERM, so no QEMU
/// outlives the process that started it. Background jobs get /dev/null as stdin, hence the copy
/// of the pipe on fd 3.
/// </summary>
public static class QemuWatchdog
{
    private const string Script =
        "exec 3<&0\n" +
        "\"$@\" </dev/null &\n" +
        "q=$!\n" +
        "{ while read -r _ <&3; do :; done; kill -TERM $q 2>/dev/null; } &\n" +
        "w=$!\n" +
        "wait $q\n" +
        "rc=$?\n" +
        "kill $w 2>/dev/null\n" +
        "exit $rc\n";

    /// <summary>How to start <paramref name="qemu"/> with <paramref name="arguments"/> under the watchdog; stdin, stdout and stderr redirected.</summary>
    public static ProcessStartInfo StartInfo(string qemu, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add("qemu-watchdog");
        start.ArgumentList.Add(qemu);
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        return start;
    }
}
