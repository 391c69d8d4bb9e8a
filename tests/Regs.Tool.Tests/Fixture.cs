namespace Regs.Tool.Tests;

/// <summary>A small register map that every diff test edits one thing of.</summary>
internal static class Fixture
{
    public const string Map = """
        # yaml-language-server: $schema=../regs.schema.json
        namespace: Dev
        enums:
          - name: Mode
            width: 8
            values:
              - { name: Off, value: 0 }
              - { name: On, value: 1 }
              - { name: Auto, value: 2 }
        flags:
          - name: Caps
            width: 32
            bits:
              - { name: A, bit: 0 }
              - { name: B, bit: 1 }
        blocks:
          - name: Dev
            width: 32
            constants:
              - { name: Id, value: 0x1234 }
            registers:
              - name: CTRL
                offset: 0x00
                reset: 0x0
                doc: Control
                fields:
                  - { name: EN, bit: 0, doc: Enable }
                  - { name: MODE, bits: "3:2", enum: Mode }
                  - { name: RST, bit: 4 }
                  - { name: RSVD, bits: "31:30", reserved: true, write_as: 0 }
              - name: STATUS
                offset: 0x04
                access: ro
                fields:
                  - { name: UP, bit: 0 }
              - { name: DATA, offset: 0x08 }
              - { name: TAB, offset: 0x10, array: { count: 4, stride: 4 } }
            groups:
              - name: Q
                offset: 0x100
                count: 4
                stride: 0x10
                registers:
                  - { name: BASE, offset: 0x0 }
                  - { name: LEN, offset: 0x4 }
        layouts:
          - name: Desc
            size: 16
            members:
              - { name: Addr, offset: 0, width: 64 }
              - { name: Len, offset: 8, width: 32 }
              - { name: Flags, offset: 12, width: 16 }

        """;

    /// <summary>The map with one exact piece of text replaced (which must occur exactly once).</summary>
    public static string With(string from, string to)
    {
        int at = Map.IndexOf(from, System.StringComparison.Ordinal);
        if (at < 0 || Map.IndexOf(from, at + 1, System.StringComparison.Ordinal) >= 0)
            throw new System.ArgumentException($"'{from}' must occur exactly once in the fixture");
        return Map.Remove(at, from.Length).Insert(at, to);
    }
}
