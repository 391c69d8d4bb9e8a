using Regs.Nic;
using Regs.Virtio;

namespace Regs.Drivers.Virtio;

// Which offload features to ask for, which of them stand together (5.1.3.1), and the frame
// sizes the buffer layout in effect allows.
public unsafe partial struct VirtioNet<TAccess, TTransport, THost>
{
    // The features that turn on the offloads the options ask for (5.1.3).
    private static VirtioNetFeatures WantedOffloads(NicOffloads asked)
    {
        VirtioNetFeatures f = 0;
        if ((asked & NicOffloads.TxChecksum) != 0) f |= VirtioNetFeatures.CSUM;
        if ((asked & NicOffloads.TxTcpSegmentationV4) != 0) f |= VirtioNetFeatures.HOST_TSO4;
        if ((asked & NicOffloads.TxTcpSegmentationV6) != 0) f |= VirtioNetFeatures.HOST_TSO6;
        if ((asked & NicOffloads.TxTcpEcn) != 0) f |= VirtioNetFeatures.HOST_ECN;
        if ((asked & NicOffloads.RxChecksum) != 0) f |= VirtioNetFeatures.GUEST_CSUM;
        if ((asked & NicOffloads.RxTcpCoalescingV4) != 0) f |= VirtioNetFeatures.GUEST_TSO4;
        if ((asked & NicOffloads.RxTcpCoalescingV6) != 0) f |= VirtioNetFeatures.GUEST_TSO6;
        if ((asked & NicOffloads.RxTcpEcn) != 0) f |= VirtioNetFeatures.GUEST_ECN;
        return f;
    }

    // 5.1.3.1: the driver MUST NOT accept a feature whose required feature it does not accept:
    // HOST_TSO4/6 need CSUM, HOST_ECN a HOST_TSO; GUEST_TSO4/6 need GUEST_CSUM, GUEST_ECN a
    // GUEST_TSO. Receive coalescing also needs buffers for a 64 KiB frame (5.1.6.3).
    private static VirtioNetFeatures Dependencies(VirtioNetFeatures f, bool holds64KiB)
    {
        const VirtioNetFeatures hostTso = VirtioNetFeatures.HOST_TSO4 | VirtioNetFeatures.HOST_TSO6;
        const VirtioNetFeatures guestTso = VirtioNetFeatures.GUEST_TSO4 | VirtioNetFeatures.GUEST_TSO6;
        if ((f & VirtioNetFeatures.CSUM) == 0) f &= ~hostTso;
        if ((f & hostTso) == 0) f &= ~VirtioNetFeatures.HOST_ECN;
        if ((f & VirtioNetFeatures.GUEST_CSUM) == 0 || !holds64KiB) f &= ~guestTso;
        if ((f & guestTso) == 0) f &= ~VirtioNetFeatures.GUEST_ECN;
        return f;
    }

    // The offloads negotiated features turn on (INic.Offloads).
    private static NicOffloads OffloadsOf(VirtioNetFeatures f)
    {
        NicOffloads o = NicOffloads.None;
        if ((f & VirtioNetFeatures.CSUM) != 0) o |= NicOffloads.TxChecksum;
        if ((f & VirtioNetFeatures.HOST_TSO4) != 0) o |= NicOffloads.TxTcpSegmentationV4;
        if ((f & VirtioNetFeatures.HOST_TSO6) != 0) o |= NicOffloads.TxTcpSegmentationV6;
        if ((f & VirtioNetFeatures.HOST_ECN) != 0) o |= NicOffloads.TxTcpEcn;
        if ((f & VirtioNetFeatures.GUEST_CSUM) != 0) o |= NicOffloads.RxChecksum;
        if ((f & VirtioNetFeatures.GUEST_TSO4) != 0) o |= NicOffloads.RxTcpCoalescingV4;
        if ((f & VirtioNetFeatures.GUEST_TSO6) != 0) o |= NicOffloads.RxTcpCoalescingV6;
        if ((f & VirtioNetFeatures.GUEST_ECN) != 0) o |= NicOffloads.RxTcpEcn;
        return o;
    }

    // The longest frame the receive buffers hold: one buffer's data segment, or with MRG_RXBUF
    // every buffer of the queue less the header (5.1.6.3.1), at most a 64 KiB train. Also sets
    // how many buffers one frame may span (num_buffers above it is a device fault).
    private static int ReceiveCapacity(VirtioNetState* s)
    {
        if (!s->Mergeable)
        {
            s->RxMaxBuffers = 1;
            return (int)s->RxDataBytes;
        }
        uint perBuffer = s->HeaderLength + s->RxDataBytes;
        uint most = (FrameBatch.MaxLength + s->HeaderLength + perBuffer - 1) / perBuffer;
        s->RxMaxBuffers = most < s->SlotCount ? most : s->SlotCount;
        ulong bytes = (ulong)s->SlotCount * perBuffer - s->HeaderLength;
        return bytes < FrameBatch.MaxLength ? (int)bytes : FrameBatch.MaxLength;
    }
}
