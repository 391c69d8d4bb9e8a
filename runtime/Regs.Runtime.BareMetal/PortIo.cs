using Regs.Runtime.BareMetal.Uefi;

namespace Regs.Runtime.BareMetal;

/// <summary>
/// x86 port I/O (in/out), which C# cannot express: four-byte machine-code stubs in one executable
/// page, called through unmanaged function pointers (MS x64 ABI: port in rcx, value in rdx,
/// result in rax). The same technique as <see cref="TscClock"/>'s rdtsc stub.
/// </summary>
public static unsafe class PortIo
{
    private static delegate* unmanaged<ushort, byte> s_in8;
    private static delegate* unmanaged<ushort, byte, void> s_out8;

    /// <summary>True once the stubs are in place.</summary>
    public static bool IsReady => s_in8 != null;

    /// <summary>Writes the stubs into a page of EfiLoaderCode memory (executable under OVMF); false without memory.</summary>
    public static bool Initialize()
    {
        if (s_in8 != null) return true;
        byte* code = (byte*)UefiPlatform.AllocatePages(1, EfiMemoryType.LoaderCode, UefiPlatform.AnyAddress);
        if (code == null) return false;
        // in8 (Intel SDM vol. 2, IN/OUT): mov edx, ecx 89 CA; xor eax, eax 31 C0; in al, dx EC; ret C3.
        code[0] = 0x89; code[1] = 0xCA; code[2] = 0x31; code[3] = 0xC0; code[4] = 0xEC; code[5] = 0xC3;
        // out8: mov eax, edx 89 D0; mov edx, ecx 89 CA; out dx, al EE; ret C3.
        code[16] = 0x89; code[17] = 0xD0; code[18] = 0x89; code[19] = 0xCA; code[20] = 0xEE; code[21] = 0xC3;
        s_in8 = (delegate* unmanaged<ushort, byte>)code;
        s_out8 = (delegate* unmanaged<ushort, byte, void>)(code + 16);
        return true;
    }

    /// <summary>Reads a byte from <paramref name="port"/> (all ones before <see cref="Initialize"/>).</summary>
    public static byte In8(ushort port) => s_in8 == null ? (byte)0xFF : s_in8(port);

    /// <summary>Writes a byte to <paramref name="port"/> (ignored before <see cref="Initialize"/>).</summary>
    public static void Out8(ushort port, byte value)
    {
        if (s_out8 != null) s_out8(port, value);
    }
}
