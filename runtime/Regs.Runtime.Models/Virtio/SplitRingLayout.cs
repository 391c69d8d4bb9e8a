namespace Regs.Runtime.Models.Virtio;

/// <summary>
/// Byte layout of a split virtqueue in driver memory (virtio 1.2 2.7): the descriptor table, the
/// available ring (driver area) and the used ring (device area), all little-endian. The model
/// reads and writes these bytes itself instead of using the generated <c>VirtqDesc</c> and
/// friends, so a wrong offset in <c>defs/virtio</c> shows up as a driver that fails on the model.
/// </summary>
internal static class SplitRingLayout
{
    // Descriptor table (2.7.5): 16 bytes per descriptor.
    public const int DescriptorSize = 16;
    public const int DescAddr = 0, DescLen = 8, DescFlags = 12, DescNext = 14; // le64, le32, le16, le16

    // Descriptor flags (2.7.5).
    public const ushort DESC_F_NEXT = 1;     // the buffer continues in the descriptor named by next
    public const ushort DESC_F_WRITE = 2;    // device-writable (otherwise device-readable)
    public const ushort DESC_F_INDIRECT = 4; // the buffer is a table of descriptors (2.7.5.3)

    // Available ring (2.7.6): flags, idx, then one le16 head per slot, then used_event (2.7.7).
    public const int AvailFlags = 0, AvailIdx = 2, AvailRing = 4, AvailEntrySize = 2;
    public const ushort AVAIL_F_NO_INTERRUPT = 1; // the driver asks for no used-buffer notifications (2.7.7)

    // Used ring (2.7.8): le16 flags (the model never sets NO_NOTIFY), idx, then one element
    // (le32 id, le32 len) per slot, then avail_event.
    public const int UsedIdx = 2, UsedRing = 4, UsedElemSize = 8;
    public const int UsedElemId = 0, UsedElemLen = 4;

    // Minimum alignment of each part (2.7, table "Virtqueue Part Alignment").
    public const int DescriptorAlign = 16, AvailAlign = 2, UsedAlign = 4;

    /// <summary>Bytes of the descriptor table: 16 * queue size (2.7).</summary>
    public static ulong DescriptorTableBytes(ushort queueSize) => (ulong)DescriptorSize * queueSize;

    /// <summary>Bytes of the available ring including used_event: 6 + 2 * queue size (2.7).</summary>
    public static ulong AvailRingBytes(ushort queueSize) => 6 + (ulong)AvailEntrySize * queueSize;

    /// <summary>Offset of used_event, the last field of the available ring (2.7.6, 2.7.7).</summary>
    public static ulong UsedEventOffset(ushort queueSize) => AvailRing + (ulong)AvailEntrySize * queueSize;

    /// <summary>Offset of avail_event, the last field of the used ring (2.7.8, 2.7.10).</summary>
    public static ulong AvailEventOffset(ushort queueSize) => UsedRing + (ulong)UsedElemSize * queueSize;
}
