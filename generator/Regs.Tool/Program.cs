using System;

namespace Regs.Tool;

/// <summary>The <c>regs</c> executable.</summary>
public static class Program
{
    /// <summary>Runs the tool on the process's console and working directory.</summary>
    public static int Main(string[] args)
        => RegsTool.Run(args, Console.Out, Console.Error, Environment.CurrentDirectory, interactive: !Console.IsOutputRedirected);
}
