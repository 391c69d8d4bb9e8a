using System.Collections.Generic;
using Regs.Language.Model;
using Regs.Language.Reading;
using Regs.Language.Validation;
using Regs.Language.Yaml;

namespace Regs.Language;

/// <summary>The language's entry points: one file to a model, many models to a checked set.</summary>
public static class RegsLanguage
{
    /// <summary>The file name ending that marks a register file.</summary>
    public const string FileSuffix = ".regs.yaml";

    /// <summary>Parses and checks one file on its own. The model is null when the file could not be read at all.</summary>
    public static (FileModel? Model, EquatableArray<RegsDiagnostic> Diagnostics) Parse(string path, string text)
    {
        var diagnostics = new List<RegsDiagnostic>();
        FileModel? model = null;
        if (text.Length > MaxFileChars)
            diagnostics.Add(Diagnostics.Limit(path, TextChecks.At(text, MaxFileChars, 0), $"the file has {text.Length} characters; register files are limited to {MaxFileChars}"));
        else if (TextChecks.InvalidUtf8(path, text) is RegsDiagnostic encoding)
            diagnostics.Add(encoding);
        else if (YamlTreeReader.Read(path, text, diagnostics) is YNode root)
            model = ModelReader.Read(path, root, diagnostics);
        if (model != null)
            FileValidator.Validate(model, diagnostics);
        return (model, diagnostics.ToEquatableArray());
    }

    /// <summary>Largest file accepted (characters): far beyond any real device, small enough to bound time and memory.</summary>
    public const int MaxFileChars = 8 * 1024 * 1024;

    /// <summary>
    /// Checks references across files: what each file uses must be defined somewhere visible to it.
    /// <c>DependenciesClean</c> is false when a reference lands in a file that has errors of its own.
    /// </summary>
    public static (EquatableArray<RegsDiagnostic> Diagnostics, bool DependenciesClean) CheckReferences(FileModel model, SymbolTable symbols)
    {
        var diagnostics = new List<RegsDiagnostic>();
        bool clean = ReferenceValidator.Validate(model, symbols, diagnostics);
        return (diagnostics.ToEquatableArray(), clean);
    }

    /// <summary>Everything: parse each file, build the symbol table, check references. For the command-line tool and tests.</summary>
    public static (List<FileModel> Models, List<RegsDiagnostic> Diagnostics) Check(IEnumerable<(string Path, string Text)> files)
    {
        var models = new List<FileModel>();
        var all = new List<RegsDiagnostic>();
        var clean = new HashSet<string>();
        foreach (var (path, text) in files)
        {
            var (model, diagnostics) = Parse(path, text);
            all.AddRange(diagnostics);
            if (model != null)
            {
                models.Add(model);
                if (diagnostics.Count == 0) clean.Add(path);
            }
        }
        SymbolTable symbols = SymbolTable.Build(models, clean);
        foreach (FileModel model in models)
            all.AddRange(CheckReferences(model, symbols).Diagnostics);
        return (models, all);
    }
}
