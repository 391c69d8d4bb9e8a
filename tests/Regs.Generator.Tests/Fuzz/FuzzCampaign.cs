using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Regs.Generator.Tests.Fuzz;

/// <summary>
/// A deterministic fuzzing run: input <c>i</c> uses mutator <c>i mod M</c> and
/// <c>new Random(seed + i)</c>, so any failure names the input that reproduces it.
/// REGS_FUZZ_INPUTS sets the inputs per mutator; REGS_FUZZ_SECONDS instead runs for that long;
/// REGS_FUZZ_ONLY=i runs input i alone.
/// </summary>
internal sealed class FuzzCampaign
{
    public sealed class MutatorStats
    {
        public int Inputs, Accepted, Rejected, Compiled;   // every input also goes through the generator
    }

    private readonly string _name;
    private readonly int _seed;
    private readonly string[] _mutators;
    private readonly Dictionary<string, MutatorStats> _stats = new();
    private TimeSpan _max, _language, _generator, _compile;
    private string _slowest = "";

    public FuzzCampaign(string name, int seed, string[] mutators)
    {
        _name = name;
        _seed = seed;
        _mutators = mutators;
        foreach (string m in mutators) _stats[m] = new MutatorStats();
    }

    /// <summary>Every input goes through the generator too; an accepted input whose index is a multiple of this is also compiled.</summary>
    public const int CompileEvery = 13;

    public delegate (string Text, FuzzCorpus.Seed Seed) MakeInput(int mutator, Random rng);

    public string Run(int defaultPerMutator, MakeInput make)
    {
        int perMutator = Env("REGS_FUZZ_INPUTS") ?? defaultPerMutator;
        if (Env("REGS_FUZZ_ONLY") is int only)
        {
            RunOne(only, make); // reproduces one reported input
            return Report(TimeSpan.Zero);
        }
        int? seconds = Env("REGS_FUZZ_SECONDS");
        var clock = Stopwatch.StartNew();
        int next = -1;
        FuzzFailure? failure = null;
        // One worker thread per core (not pool threads); each input runs on its own thread under a watchdog.
        // Input i is the same whichever worker takes it.
        var workers = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Task.Factory.StartNew(() =>
        {
            while (Volatile.Read(ref failure) == null)
            {
                int i = Interlocked.Increment(ref next);
                if (seconds != null ? clock.Elapsed.TotalSeconds >= seconds : i >= perMutator * _mutators.Length) return;
                try { RunOne(i, make); }
                catch (FuzzFailure f) { Interlocked.CompareExchange(ref failure, f, null); }
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(workers);
        if (failure != null) throw failure;
        return Report(clock.Elapsed);
    }

    private void RunOne(int i, MakeInput make)
    {
        int mutator = i % _mutators.Length;
        var rng = new Random(_seed + i);
        var (text, seed) = make(mutator, rng);
        string label = $"{_name}-{_mutators[mutator]}-{i}";
        // Compiling is the costly part: a fixed sample of inputs, chosen by index (the oracle
        // compiles only the accepted ones).
        FuzzOracle.Outcome outcome = FuzzOracle.Run(label, seed, text, compile: i % CompileEvery == 0);
        lock (_stats)
        {
            MutatorStats s = _stats[_mutators[mutator]];
            s.Inputs++;
            if (outcome.Rejected) s.Rejected++; else s.Accepted++;
            if (outcome.Compiled) s.Compiled++;
            _language += outcome.Language;
            _generator += outcome.Generator;
            _compile += outcome.Compile;
            if (outcome.Elapsed > _max) { _max = outcome.Elapsed; _slowest = label; }
        }
    }

    private string Report(TimeSpan total)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{_name}: seed {_seed}, {total.TotalSeconds:F1} s on {Environment.ProcessorCount} workers");
        sb.AppendLine("| mutator | inputs (all through the generator) | accepted | rejected | compiled |");
        sb.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var (m, s) in _stats)
            sb.AppendLine($"| {m} | {s.Inputs} | {s.Accepted} | {s.Rejected} | {s.Compiled} |");
        MutatorStats all = Total;
        sb.AppendLine($"| total | {all.Inputs} | {all.Accepted} | {all.Rejected} | {all.Compiled} |");
        sb.AppendLine($"summed over workers: time in the language {_language.TotalSeconds:F1} s, in the generator {_generator.TotalSeconds:F1} s, compiling samples {_compile.TotalSeconds:F1} s");
        sb.AppendLine($"max time per input (language + generator): {_max.TotalMilliseconds:F0} ms ({_slowest})");
        return sb.ToString();
    }

    public MutatorStats Total => new()
    {
        Inputs = _stats.Values.Sum(s => s.Inputs), Accepted = _stats.Values.Sum(s => s.Accepted), Rejected = _stats.Values.Sum(s => s.Rejected),
        Compiled = _stats.Values.Sum(s => s.Compiled),
    };

    private static int? Env(string name)
        => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : null;
}
