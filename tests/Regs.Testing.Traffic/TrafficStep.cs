namespace Regs.Testing.Traffic;

/// <summary>
/// What one <see cref="NicTraffic{TNic}.Step"/> does: A and B each send <paramref name="Frames"/>
/// new frames to the other (where asked), then each waits for frames (at most its wait, in
/// microseconds) and receives, then (where asked) each NIC's link is read.
/// </summary>
/// <param name="Frames">Frames each sender sends (a full ring may take fewer).</param>
/// <param name="WaitA">How long A's WaitForReceive may take.</param>
/// <param name="WaitB">How long B's WaitForReceive may take.</param>
/// <param name="FromA">Whether A sends.</param>
/// <param name="FromB">Whether B sends.</param>
/// <param name="PollLinks">
/// Whether each NIC's Link() is read, as an application polls it: how a virtio driver notices a
/// configuration change while frames keep it from looking on its own.
/// </param>
public sealed record TrafficStep(int Frames = 4, uint WaitA = 200, uint WaitB = 200, bool FromA = true, bool FromB = true, bool PollLinks = false)
{
    /// <summary>Four frames each way, 0.2 ms waits, links not read.</summary>
    public static readonly TrafficStep Default = new();

    internal bool Sends(int nic) => nic == 0 ? FromA : FromB;

    internal uint Wait(int nic) => nic == 0 ? WaitA : WaitB;
}
