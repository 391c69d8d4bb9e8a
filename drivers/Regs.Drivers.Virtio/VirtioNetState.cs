using Regs.Net;
using Regs.Nic;
using Regs.Runtime;
using Regs.Virtio;

namespace Regs.Drivers.Virtio;

/// <summary>
/// A virtio-net driver's mutable state, kept in the host's private memory so that copies of the
/// <see cref="VirtioNet{TAccess, TTransport, THost}"/> handle all see one device.
/// </summary>
internal unsafe struct VirtioNetState
{
    public VirtqueueSplit* Rx;
    public VirtqueueSplit* Tx;
    public DmaBuffer RxSlots;          // per slot: net header, indirect table, frame data (RxDataBytes)
    public DmaBuffer TxSlots;          // per slot: net header, (unused), frame data (2 KiB)
    public DmaBuffer TxTables;         // per transmit slot: an indirect table for a frame spanning slots
    public ushort* TxFree;             // stack of free transmit slots
    public ushort* TxNext;             // per transmit slot: the next slot of the same frame, or NoSlot
    public uint* TxLength;             // per first transmit slot of a frame: its length, for statistics
    public uint TxFreeCount;
    public uint QueueSize;
    public uint SlotCount;             // buffers per queue: the queue size, halved without indirect tables
    public uint RxDataBytes;           // bytes of frame data per receive buffer (2 KiB, more for big buffers)
    public uint RxStride;              // bytes per receive slot
    public uint HeaderLength;
    public uint RxNotify;
    public uint TxNotify;
    public uint Generation;
    public VirtioNetFeatures Features;
    public NicOffloads Offloads;       // what the negotiated features turn on
    public MacAddress Mac;
    public ulong RandomMac;            // chosen once at initialisation, used without VIRTIO_NET_F_MAC
    public bool Msix;                  // MSI-X vectors assigned: the ISR is never read (4.1.4.5.1)
    public ushort Mtu;
    public bool Indirect;
    public bool Mergeable;             // MRG_RXBUF negotiated: a frame may span receive buffers
    public bool LinkUp;
    public int MaxFrame;               // MTU + Ethernet header and tag: the longest plain frame
    public int TxCapacity;             // the longest frame a transmit chain carries (segmentation trains)
    public int RxCapacity;             // the longest frame the receive buffers hold (gathered with MRG_RXBUF)
    public uint RxMaxBuffers;          // the most buffers one received frame can span
    public VirtioNetOptions Options;   // defaults filled in at initialisation
    public bool Started;
    public NicStats Stats;
    public NicStatus LastError;

    // Fault handling: the idle and stuck paths look at the device at most once per interval.
    public ulong NextHealthCheck;      // host clock
    public bool Recovering;            // a fault's reset failed: retried at NextRecovery
    public ulong NextRecovery;
    public ProgressMark TxMark;        // transmit buffers out, none back
    public ProgressMark RxMark;        // link up, nothing received
}
