using System;

namespace Regs.Runtime.Models.Igb;

/// <summary>
/// The NVM image read through EERD (datasheet 6.1, table 6-1; EERD's section not confirmed). Words 0-2 hold the MAC,
/// the rest is QEMU's igb template (so a driver sees the same words on both), and word 0x3F makes
/// words 0x00-0x3F sum to 0xBABA as the datasheet requires (checksum word; subsection not confirmed).
/// </summary>
internal sealed class IgbEepromModel
{
    /// <summary>Words reachable through EERD (QEMU: 1024); other addresses never report DONE.</summary>
    public const int Words = 1024;
    public const int ChecksumWord = 0x3F;
    public const ushort ChecksumTarget = 0xBABA;

    // QEMU hw/net/igb.c igb_eeprom_template (facts, not code): compatibility, PBA, init control
    // words, subsystem ids, device ids, PCIe configuration, alternate MAC pointer...
    private static readonly ushort[] Template =
    {
        0x0000, 0x0000, 0x0000, 0x0d34, 0xffff, 0x2010, 0xffff, 0xffff,
        0x1040, 0xffff, 0x002b, 0x0000, 0x8086, 0x10c9, 0x0000, 0x70c3,
        0x0004, 0x10c9, 0x5c00, 0x0000, 0x2880, 0x0014, 0x4a40, 0x0060,
        0x6cfb, 0xc7b0, 0x0abe, 0x0403, 0x0783, 0x10a6, 0x0001, 0x0602,
        0x0004, 0x0020, 0x0000, 0x004a, 0x2080, 0x00f5, 0x10ca, 0x0000,
        0x0000, 0x0000, 0x4784, 0x4602, 0x0000, 0x0000, 0x1000, 0xffff,
        0x0100, 0x4000, 0x131f, 0x4013, 0x0100, 0x4000, 0xffff, 0xffff,
        0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0x00e0, 0xffff, 0x0000,
        0x0003,
    };

    private readonly ushort[] _words = new ushort[Words];

    public IgbEepromModel(ReadOnlySpan<byte> mac, ushort deviceId)
    {
        Template.CopyTo(_words, 0);
        for (int i = 0; i < 3; i++) _words[i] = (ushort)(mac[2 * i] | mac[2 * i + 1] << 8);
        // QEMU writes the device id into words 0x0B (subsystem id) and 0x0D (device id).
        _words[0x0B] = deviceId;
        _words[0x0D] = deviceId;
        ushort sum = 0;
        for (int i = 0; i < ChecksumWord; i++) sum += _words[i];
        _words[ChecksumWord] = (ushort)(ChecksumTarget - sum);
    }

    /// <summary>The word at <paramref name="address"/>; false beyond the device.</summary>
    public bool TryRead(uint address, out ushort value)
    {
        if (address >= Words) { value = 0; return false; }
        value = _words[address];
        return true;
    }
}
