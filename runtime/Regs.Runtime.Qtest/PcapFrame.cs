namespace Regs.Runtime.Qtest;

/// <summary>One captured frame.</summary>
/// <param name="TimestampMicroseconds">Capture time in microseconds since the Unix epoch.</param>
/// <param name="Data">The bytes captured (the whole frame unless it exceeded the snapshot length).</param>
/// <param name="OriginalLength">The frame's length on the wire.</param>
public sealed record PcapFrame(ulong TimestampMicroseconds, byte[] Data, int OriginalLength);
