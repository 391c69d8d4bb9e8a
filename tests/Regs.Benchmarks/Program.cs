using System.Linq;
using BenchmarkDotNet.Running;

namespace Regs.Benchmarks;

/// <summary>
/// Entry point. <c>dotnet run -c Release -- --filter '*Accessor*'</c> runs through BenchmarkDotNet
/// (set TMPDIR outside /tmp, see docs/performance.md); <c>-- cold</c> times one cold generator
/// pass per map size in this process, with no warm-up (the figure comparable to a first build); <c>-- synthetic N FILE</c> writes the
/// N-register synthetic map (build-time.sh times `dotnet build` of a project holding it).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        // The generator project hands Regs.Language to the compiler as an analyzer dependency,
        // which keeps it out of this app's deps.json; load it (and YamlDotNet) from our folder.
        System.Runtime.Loader.AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            string path = System.IO.Path.Combine(System.AppContext.BaseDirectory, name.Name + ".dll");
            return System.IO.File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
        };
        if (args.Length == 3 && args[0] == "synthetic")
        {
            System.IO.File.WriteAllText(args[2], Regs.Testing.Generator.SyntheticMap.Build(int.Parse(args[1]), 8, docs: false));
            return 0;
        }
        if (args.Length > 0 && args[0] == "cold")
            return ColdGenerator.Run(args.Skip(1).ToArray());
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchConfig.Create());
        return 0;
    }
}
