using System.Collections.Generic;
using Regs.Language.Model;

namespace Regs.Language.Validation;

/// <summary>
/// Rules that need the other files: every name a file uses must resolve to a type of the
/// right kind, defined once, whose values fit where they are used.
/// </summary>
internal sealed class ReferenceValidator
{
    private readonly FileModel _file;
    private readonly SymbolTable _symbols;
    private readonly List<RegsDiagnostic> _d;

    private ReferenceValidator(FileModel file, SymbolTable symbols, List<RegsDiagnostic> d) { _file = file; _symbols = symbols; _d = d; }

    /// <summary>Checks every reference; true if all of them resolve to files without errors.</summary>
    public static bool Validate(FileModel file, SymbolTable symbols, List<RegsDiagnostic> diagnostics)
    {
        var v = new ReferenceValidator(file, symbols, diagnostics);
        v.CheckImportsAndDuplicates();
        foreach (FlagsDef f in file.Flags) v.CheckExtends(f);
        foreach (BlockDef b in file.Blocks) v.CheckBlock(b);
        foreach (LayoutDef l in file.Layouts) v.CheckLayout(l);
        return v._dependenciesClean;
    }

    private bool _dependenciesClean = true;

    private string Where => _file.Imports.Count == 0
        ? $"in namespace {_file.Namespace} (add its namespace to 'imports:' if it is defined elsewhere)"
        : $"in namespace {_file.Namespace} or its imports ({string.Join(", ", _file.Imports)})";

    private TypeSymbol? Resolve(Ref r, string kindText, params SymbolKind[] kinds)
    {
        TypeSymbol? s = _symbols.Lookup(r.Name, _file);
        if (s == null || System.Array.IndexOf(kinds, s.Kind) < 0)
        {
            _d.Add(Diagnostics.UnknownReference(_file.Path, r.Loc, kindText, r.Name,
                s == null ? Where : $"(it is a {s.Kind.ToString().ToLowerInvariant()}, defined in {s.Path})"));
            return null;
        }
        if (!s.Clean) _dependenciesClean = false;
        return s;
    }

    private void CheckImportsAndDuplicates()
    {
        foreach (string ns in _file.Imports)
            if (System.Array.IndexOf(ToArray(_symbols.Namespaces), ns) < 0)
                _d.Add(Diagnostics.UnknownReference(_file.Path, default, "namespace", ns, "among the register files of this compilation"));
        // A type defined in two files of the same namespace: report it in the later file.
        var first = new Dictionary<(string, string), string>();
        foreach (TypeSymbol s in _symbols.Symbols)
            if (!first.ContainsKey((s.Namespace, s.Name))) first[(s.Namespace, s.Name)] = s.Path;
        void Check(Named n)
        {
            if (first.TryGetValue((_file.Namespace, n.Name), out string? path) && path != _file.Path)
                _d.Add(Diagnostics.DuplicateName(_file.Path, n.Loc, "type", n.Name, $"namespace {_file.Namespace} by {path}"));
        }
        foreach (EnumDef e in _file.Enums) Check(e.N);
        foreach (FlagsDef f in _file.Flags) Check(f.N);
        foreach (BlockDef b in _file.Blocks) Check(b.N);
        foreach (LayoutDef l in _file.Layouts) Check(l.N);
    }

    private static string[] ToArray(EquatableArray<string> a) { var r = new string[a.Count]; for (int i = 0; i < r.Length; i++) r[i] = a[i]; return r; }

    private void CheckExtends(FlagsDef f)
    {
        if (f.Extends is not Ref ext) return;
        if (Resolve(ext, "flags set", SymbolKind.Flags) is not TypeSymbol b) return;
        if (b.Width > f.Width)
            _d.Add(Diagnostics.InvalidStructure(_file.Path, ext.Loc, $"'{f.N.Name}' ({f.Width} bits) cannot extend '{b.Name}' ({b.Width} bits)"));
        var own = new HashSet<string>();
        foreach (FlagBitDef bit in f.Bits) own.Add(bit.N.Name);
        foreach (string inherited in b.Members)
            if (own.Contains(inherited))
                foreach (FlagBitDef bit in f.Bits)
                    if (bit.N.Name == inherited)
                        _d.Add(Diagnostics.DuplicateName(_file.Path, bit.N.Loc, "flag", inherited, $"'{b.Name}', which '{f.N.Name}' extends"));
        if (b.Name == f.N.Name && b.Namespace == _file.Namespace)
            _d.Add(Diagnostics.InvalidStructure(_file.Path, ext.Loc, $"'{f.N.Name}' cannot extend itself"));
    }

    private void CheckBlock(BlockDef b)
    {
        TypeSymbol? features = b.Features is Ref fr ? Resolve(fr, "flags set", SymbolKind.Flags) : null;
        foreach (RegisterDef r in b.Registers) CheckRegister(r, features);
        foreach (GroupDef g in b.Groups) foreach (RegisterDef r in g.Registers) CheckRegister(r, features);
        foreach (PortDef p in b.Ports) CheckPort(b, p);
    }

    private void CheckRegister(RegisterDef r, TypeSymbol? features)
    {
        if (r.Type is Ref t && Resolve(t, "enum or flags set", SymbolKind.Enum, SymbolKind.Flags) is TypeSymbol ts)
            CheckFit(ts, r.ValueWidth, t.Loc, $"register '{r.N.Name}'");
        CheckFields(r.Fields);
        if (features != null)
            foreach (Ref req in r.Requires)
                if (System.Array.IndexOf(ToArray(features.Members), req.Name) < 0)
                    _d.Add(Diagnostics.UnknownReference(_file.Path, req.Loc, "feature", req.Name, $"in flags set '{features.Name}'"));
    }

    private void CheckFields(EquatableArray<FieldDef> fields)
    {
        foreach (FieldDef f in fields)
        {
            if (f.Enum is Ref e && Resolve(e, "enum", SymbolKind.Enum) is TypeSymbol es)
                CheckFit(es, f.Width, e.Loc, $"field '{f.N.Name}'");
            if (f.Flags is Ref fl && Resolve(fl, "flags set", SymbolKind.Flags) is TypeSymbol fs)
                CheckFit(fs, f.Width, fl.Loc, $"field '{f.N.Name}'");
        }
    }

    private void CheckFit(TypeSymbol type, int bits, Loc loc, string what)
    {
        if (!FileValidator.Fits(type.MaxValue, bits))
            _d.Add(Diagnostics.ValueTooLarge(_file.Path, loc, $"{type.Kind.ToString().ToLowerInvariant()} '{type.Name}' used by {what} has a value", type.MaxValue, bits));
    }

    private void CheckPort(BlockDef b, PortDef p)
    {
        if (Resolve(p.Space, "indirect block", SymbolKind.Block) is TypeSymbol space && !space.Indirect)
            _d.Add(Diagnostics.InvalidStructure(_file.Path, p.Space.Loc, $"port '{p.N.Name}' reaches '{space.Name}', which is not declared 'indirect: true'"));
        RegisterDef? cmd = null;
        foreach (RegisterDef r in b.Registers) if (r.N.Name == p.Register.Name) cmd = r;
        if (cmd == null || p.Opcode is not Ref opRef) return;
        FieldDef? op = null;
        foreach (FieldDef f in cmd.Fields) if (f.N.Name == opRef.Name) op = f;
        if (op?.Enum is not Ref enumRef) return;
        TypeSymbol? e = _symbols.Lookup(enumRef.Name, _file);
        if (e == null) return;
        foreach (Ref? v in new[] { p.ReadOp, p.WriteOp })
            if (v is Ref value && System.Array.IndexOf(ToArray(e.Members), value.Name) < 0)
                _d.Add(Diagnostics.UnknownReference(_file.Path, value.Loc, "value", value.Name, $"in enum '{e.Name}' of field '{op.N.Name}'"));
    }

    private void CheckLayout(LayoutDef l)
    {
        foreach (MemberDef m in l.Members) CheckMember(l, m);
        foreach (ViewDef v in l.Views) foreach (MemberDef m in v.Members) CheckMember(l, m);
    }

    private void CheckMember(LayoutDef l, MemberDef m)
    {
        if (m.Type is Ref t && Resolve(t, "enum or flags set", SymbolKind.Enum, SymbolKind.Flags) is TypeSymbol ts)
            CheckFit(ts, m.Width, t.Loc, $"member '{m.N.Name}'");
        CheckFields(m.Fields);
        if (m.Element is Ref e && Resolve(e, "layout", SymbolKind.Layout) is TypeSymbol es)
        {
            if (es.HasQueueArray)
                _d.Add(Diagnostics.InvalidStructure(_file.Path, e.Loc, $"'{es.Name}' has a run-time length, so it cannot be an array element"));
            else if (es.Name == l.N.Name && es.Namespace == _file.Namespace)
                _d.Add(Diagnostics.InvalidStructure(_file.Path, e.Loc, $"layout '{l.N.Name}' cannot contain itself"));
            else if (m.Offset is ulong off && m.CountKind == CountKind.Fixed
                     && Saturating.Add(off, Saturating.Mul(es.Size, m.Count)) is ulong end && (end > FileValidator.MaxLayoutBytes || end > l.Size))
                _d.Add(end > FileValidator.MaxLayoutBytes
                    ? Diagnostics.Limit(_file.Path, m.N.Loc, $"member '{m.N.Name}' ends beyond byte {FileValidator.MaxLayoutBytes}; a layout's fixed part is at most {FileValidator.MaxLayoutBytes} bytes")
                    : Diagnostics.InvalidStructure(_file.Path, m.N.Loc, $"member '{m.N.Name}' ends at byte {end}, beyond the layout's size {l.Size}"));
        }
    }
}
