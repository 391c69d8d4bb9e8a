using System.Runtime.InteropServices;

namespace Regs.Runtime.BareMetal.Uefi;

/// <summary>
/// EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL (UEFI 2.10 section 12.4.1): the console output. Strings are
/// null-terminated UTF-16 (CHAR16); a new line is "\r\n". Each service takes the protocol itself first.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 80)]
public unsafe struct EfiSimpleTextOutputProtocol
{
    /// <summary>Reset(This, ExtendedVerification: BOOLEAN).</summary>
    [FieldOffset(0)] public delegate* unmanaged<EfiSimpleTextOutputProtocol*, byte, nuint> Reset;
    /// <summary>OutputString(This, String: null-terminated UTF-16).</summary>
    [FieldOffset(8)] public delegate* unmanaged<EfiSimpleTextOutputProtocol*, char*, nuint> OutputString;
    /// <summary>TestString(This, String).</summary>
    [FieldOffset(16)] public delegate* unmanaged<EfiSimpleTextOutputProtocol*, char*, nuint> TestString;
    /// <summary>QueryMode(This, ModeNumber, Columns, Rows).</summary>
    [FieldOffset(24)] public delegate* unmanaged<EfiSimpleTextOutputProtocol*, nuint, nuint*, nuint*, nuint> QueryMode;
    /// <summary>SetMode(This, ModeNumber).</summary>
    [FieldOffset(32)] public delegate* unmanaged<EfiSimpleTextOutputProtocol*, nuint, nuint> SetMode;
    /// <summary>SetAttribute(This, Attribute).</summary>
    [FieldOffset(40)] public delegate* unmanaged<EfiSimpleTextOutputProtocol*, nuint, nuint> SetAttribute;
    /// <summary>ClearScreen(This).</summary>
    [FieldOffset(48)] public delegate* unmanaged<EfiSimpleTextOutputProtocol*, nuint> ClearScreen;
    /// <summary>SetCursorPosition(This, Column, Row).</summary>
    [FieldOffset(56)] public delegate* unmanaged<EfiSimpleTextOutputProtocol*, nuint, nuint, nuint> SetCursorPosition;
    /// <summary>EnableCursor(This, Visible: BOOLEAN).</summary>
    [FieldOffset(64)] public delegate* unmanaged<EfiSimpleTextOutputProtocol*, byte, nuint> EnableCursor;
    /// <summary>SIMPLE_TEXT_OUTPUT_MODE* (not used here).</summary>
    [FieldOffset(72)] public void* Mode;
}
