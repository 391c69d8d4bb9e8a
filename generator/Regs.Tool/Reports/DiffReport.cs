using System.Collections.Generic;
using System.Linq;
using Regs.Language.Diff;

namespace Regs.Tool.Reports;

/// <summary>The result of a diff, grouped for the reports: per container, breaking changes first.</summary>
public sealed class DiffReport
{
    /// <summary>Creates the report of <paramref name="changes"/> from <paramref name="oldLabel"/> to <paramref name="newLabel"/>.</summary>
    public DiffReport(string oldLabel, string newLabel, IReadOnlyList<RegsChange> changes)
    {
        OldLabel = oldLabel;
        NewLabel = newLabel;
        Changes = changes;
        // Containers in order of first change, those with breaking changes first; inside each, breaking first.
        Groups = changes
            .GroupBy(c => (c.Container, c.Block))
            .Select(g => new Group(g.Key.Container, g.Key.Block, g.OrderBy(c => c.Breaking ? 0 : 1).ToList()))
            .OrderBy(g => g.Breaking > 0 ? 0 : 1)
            .ToList();
    }

    /// <summary>What the old side is: a path or a revision.</summary>
    public string OldLabel { get; }

    /// <summary>What the new side is: a path, a revision or "working tree".</summary>
    public string NewLabel { get; }

    /// <summary>Every change, in the comparer's order.</summary>
    public IReadOnlyList<RegsChange> Changes { get; }

    /// <summary>Changes per block (or layout, enum, flags set).</summary>
    public IReadOnlyList<Group> Groups { get; }

    /// <summary>How many changes are breaking.</summary>
    public int Breaking => Changes.Count(c => c.Breaking);

    /// <summary>How many changes are not breaking.</summary>
    public int NonBreaking => Changes.Count - Breaking;

    /// <summary>The exit code: 0 no change, 1 non-breaking only, 2 breaking.</summary>
    public int ExitCode => Breaking > 0 ? ExitCodes.Breaking : Changes.Count > 0 ? ExitCodes.Changes : ExitCodes.Ok;

    /// <summary>One line: "2 breaking and 3 non-breaking changes" or "no changes".</summary>
    public string Summary => Changes.Count == 0
        ? "no changes"
        : $"{Breaking} breaking and {NonBreaking} non-breaking {(Changes.Count == 1 ? "change" : "changes")}";

    /// <summary>The changes of one container.</summary>
    public sealed record Group(ContainerKind Container, string Name, IReadOnlyList<RegsChange> Changes)
    {
        /// <summary>How many of them are breaking.</summary>
        public int Breaking => Changes.Count(c => c.Breaking);

        /// <summary>"Block Igb", "Enum LinkSpeed", ...</summary>
        public string Title => $"{ContainerNoun(Container)} {Name}";
    }

    /// <summary>The container's kind as a title word.</summary>
    public static string ContainerNoun(ContainerKind k) => k switch
    {
        ContainerKind.Block => "Block", ContainerKind.Layout => "Layout", ContainerKind.Enum => "Enum", _ => "Flags",
    };

    /// <summary>The kind as a JSON name: camelCase of the enum member.</summary>
    public static string KindName(ChangeKind k) { string s = k.ToString(); return char.ToLowerInvariant(s[0]) + s.Substring(1); }

    /// <summary>The target as a JSON name.</summary>
    public static string TargetName(ChangeTarget t) { string s = t.ToString(); return char.ToLowerInvariant(s[0]) + s.Substring(1); }
}
