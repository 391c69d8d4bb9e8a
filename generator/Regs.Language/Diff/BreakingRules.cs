using System;
using Regs.Language.Model;

namespace Regs.Language.Diff;

/// <summary>
/// Whether a change breaks code written against the generated API (it may stop compiling, or
/// compile and touch different bits). The rules, also in generator/Regs.Tool/README.md:
/// <code>
/// change                                         breaking?
/// -------------------------------------------    ---------
/// added (block, register, field, value, ...)     no
/// removed (or a field became reserved)           yes
/// renamed (same offset+width / bits / value)     yes
/// moved offset                                   yes
/// width / layout size changed                    yes
/// bit range changed                              yes
/// access widened (new methods only: ro -> rw)    no
/// access narrowed or changed (rw -> ro, rw->w1c) yes
/// side effect changed (onread, onwrite, latch)   yes (a call may now do something else)
/// reset value changed                            no
/// enum value / flag bit renumbered, constant     yes
/// type (enum, flags, layout element) changed     yes
/// array or group grew (same stride, same start)  no
/// array shrank, stride or ranges changed         yes
/// byte order changed                             yes
/// namespace changed                              yes
/// doc / spec text only                           no
/// other generated shape (split, window, alias,
///   requires, ports, select, features)           yes
/// anything about reserved bits only              no (they have no accessor)
/// </code>
/// </summary>
public static class BreakingRules
{
    /// <summary>Classifies a change; <paramref name="reservedOnly"/> when it concerns reserved bits only.</summary>
    public static bool IsBreaking(ChangeKind kind, string? oldValue, string? newValue, bool reservedOnly = false)
    {
        if (reservedOnly) return false;
        switch (kind)
        {
            case ChangeKind.Added:
            case ChangeKind.ResetChanged:
            case ChangeKind.ArrayGrown:
            case ChangeKind.DocChanged:
                return false;
            case ChangeKind.AccessChanged:
                return !(AccessFacts.TryParse(oldValue ?? "", out Access a) && AccessFacts.TryParse(newValue ?? "", out Access b) && Widens(a, b));
            default:
                return true;
        }
    }

    /// <summary>
    /// Whether going from <paramref name="old"/> to <paramref name="new"/> access only adds generated
    /// methods: every operation the old kind offered (read, read-and-clear, write, clear, set) the
    /// new kind offers with the same meaning.
    /// </summary>
    public static bool Widens(Access old, Access @new)
    {
        Ops o = Operations(old), n = Operations(@new);
        return (o & n) == o;
    }

    [Flags]
    private enum Ops { Read = 1, ReadClear = 2, Write = 4, Clear = 8, Set = 16 }

    // The register methods of each kind (defs/README.md); for fields: getter, setter, clear, set.
    private static Ops Operations(Access a) => a switch
    {
        Access.RO => Ops.Read,
        Access.WO => Ops.Write,
        Access.RW => Ops.Read | Ops.Write,
        Access.W1C => Ops.Read | Ops.Clear,
        Access.W1S => Ops.Read | Ops.Set,
        Access.RC => Ops.ReadClear,
        _ => Ops.ReadClear | Ops.Clear,
    };
}
