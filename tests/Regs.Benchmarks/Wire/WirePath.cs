using Regs.Nic;

namespace Regs.Benchmarks.Wire;

/// <summary>The two ends of one benchmark direction: A sends, B receives.</summary>
public interface IWireEnds
{
    int Send(in FrameBatch batch);
    int Receive(ref FrameBatch batch);
}

/// <summary>The device between the ends: moves what A queued into B's ring.</summary>
public interface IWireDevice
{
    int Step();
}

/// <summary>Two driver instances as the ends.</summary>
public struct NicEnds<TNic> : IWireEnds where TNic : struct, INic
{
    public TNic A, B;
    public int Send(in FrameBatch batch) => A.Send(in batch);
    public int Receive(ref FrameBatch batch) => B.Receive(ref batch);
}

/// <summary>The hand-written igb loop as the ends.</summary>
public unsafe struct HandWrittenIgbEnds : IWireEnds
{
    public HandWrittenIgb* Loop;
    public int Send(in FrameBatch batch) => Loop->Send(in batch);
    public int Receive(ref FrameBatch batch) => Loop->Receive(ref batch);
}

/// <summary>The hand-written virtio loop as the ends.</summary>
public unsafe struct HandWrittenVirtioEnds : IWireEnds
{
    public HandWrittenVirtio* Loop;
    public int Send(in FrameBatch batch) => Loop->Send(in batch);
    public int Receive(ref FrameBatch batch) => Loop->Receive(ref batch);
}

/// <summary>The igb wire between two ports.</summary>
public unsafe struct IgbWireDevice : IWireDevice
{
    public IgbWirePort* A, B;
    public int Step() => IgbWire.Step(ref *A, ref *B);
}

/// <summary>The virtio wire between two ports.</summary>
public unsafe struct VirtioWireDevice : IWireDevice
{
    public VirtioWirePort* A, B;
    public int Step() => VirtioWire.Step(ref *A, ref *B);
}
