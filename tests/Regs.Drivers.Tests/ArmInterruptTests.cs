using System;
using System.Runtime.InteropServices;
using Regs.Drivers.Igb;
using Regs.Drivers.Virtio;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime.Models;
using Regs.Testing.NicKinds;
using Regs.Virtio;
using Xunit;

namespace Regs.Drivers.Tests;

using IgbOnModel = IgbNic<ModelAccess, ModelHost>;
using VirtioOnModel = VirtioNet<ModelAccess, VirtioPciTransport<ModelAccess>, ModelHost>;

/// <summary>
/// INic.ArmInterrupt / AcknowledgeInterrupt on the models, the calls a caller uses to sleep on the
/// NIC's interrupt in its own poll() (the TAP bridge): armed, a frame that then arrives raises the
/// interrupt and makes the model's eventfd readable; a frame that arrived before the arm makes
/// ArmInterrupt say false (the race Linux's virtqueue_enable_cb closes by re-checking the ring).
/// </summary>
public sealed unsafe class ArmInterruptTests
{
    private static readonly MacAddress MacA = MacAddress.From(new byte[] { 0x52, 0x54, 0x00, 0x12, 0x34, 0x01 });
    private static readonly MacAddress MacB = MacAddress.From(new byte[] { 0x52, 0x54, 0x00, 0x12, 0x34, 0x02 });

    [Theory]
    [InlineData(NicKind.Igb)]
    [InlineData(NicKind.VirtioPci)]
    public void Armed_a_frame_that_arrives_raises_the_interrupt_and_a_frame_already_waiting_makes_arm_say_false(NicKind kind)
    {
        var network = new ModelNetwork();
        using DeviceModel modelA = NicModels.Create(kind, network, 0, MacA);
        using DeviceModel modelB = NicModels.Create(kind, network, 1, MacB);
        network.Connect(modelA, modelB);
        Assert.Equal(NicStatus.Ok, NicModels.Open(kind, modelB, "b", default, out INic sender));
        int eventfd = modelA.InterruptEventDescriptor;
        var host = new ModelHost(modelA, "a");
        if (kind == NicKind.Igb)
        {
            Assert.Equal(NicStatus.Ok, IgbOnModel.Initialise(host, new IgbOptions { InterruptMode = true }, out IgbOnModel igb));
            Check(ref igb, modelA, sender, eventfd, kind);
        }
        else
        {
            Assert.Equal(NicStatus.Ok, VirtioPciTransport<ModelAccess>.TryOpen(ref host, VirtioDeviceType.Network, out var transport));
            Assert.Equal(NicStatus.Ok, VirtioOnModel.Initialise(transport, host, new VirtioNetOptions { InterruptMode = true }, out VirtioOnModel net));
            Check(ref net, modelA, sender, eventfd, kind);
        }
    }

    [Fact]
    public void Arm_says_false_in_polling_mode_where_there_is_no_interrupt_to_sleep_on()
    {
        var network = new ModelNetwork();
        using DeviceModel model = NicModels.Create(NicKind.Igb, network, 0, MacA);
        Assert.Equal(NicStatus.Ok, IgbOnModel.Initialise(new ModelHost(model, "a"), new IgbOptions(), out IgbOnModel igb));
        Assert.False(igb.ArmInterrupt());
    }

    private static void Check<TNic>(ref TNic nic, DeviceModel model, INic sender, int eventfd, NicKind kind) where TNic : struct, INic
    {
        // Let link-up interrupts of bring-up settle, then arm: nothing waits, so the caller may sleep.
        nic.WaitForReceive(20_000);
        Assert.True(nic.ArmInterrupt());
        Assert.False(model.InterruptAsserted);
        Assert.False(Readable(eventfd, 0));   // stale signals were consumed by the arm

        // A frame arrives: the interrupt is raised and the eventfd wakes a poll() sleeper.
        byte[] first = Frame(1);
        Send(sender, first);
        Assert.True(Readable(eventfd, 1000), "the model's interrupt eventfd did not become readable after a frame arrived on an armed NIC");
        Assert.True(model.InterruptAsserted);
        ulong interrupts = nic.Stats().Interrupts;
        Assert.True(nic.AcknowledgeInterrupt());
        Assert.False(model.InterruptAsserted);   // ICR / ISR read: the line is down
        Assert.False(Readable(eventfd, 0));      // and the eventfd reset
        Assert.True(nic.Stats().Interrupts > interrupts);
        Assert.Equal(first, ReceiveOne(ref nic));

        // The race: a frame arriving while the NIC is not armed (virtio-net: notifications
        // suppressed, so no interrupt at all) must make the next arm say false, not sleep.
        byte[] second = Frame(2);
        Send(sender, second);
        if (kind == NicKind.VirtioPci) Assert.False(model.InterruptAsserted);   // suppressed after the acknowledge
        Assert.False(nic.ArmInterrupt());
        Assert.Equal(second, ReceiveOne(ref nic));

        // And armed again with nothing waiting, the sleep times out without a signal.
        Assert.True(nic.ArmInterrupt());
        Assert.False(Readable(eventfd, 20));
        Assert.False(nic.AcknowledgeInterrupt());
    }

    private static byte[] Frame(byte tag)
    {
        var frame = new byte[60];
        MacA.CopyTo(frame);
        MacB.CopyTo(frame.AsSpan(6));
        frame[12] = 0x88; frame[13] = 0xB5;   // local experimental EtherType
        for (int i = 14; i < frame.Length; i++) frame[i] = (byte)(tag * 31 + i);
        return frame;
    }

    private static void Send(INic sender, byte[] frame)
    {
        var batch = new FrameBatch(new byte[FrameBatch.SlotSize * 2], new FrameEntry[1]);
        Assert.True(batch.Add(frame));
        Assert.Equal(1, sender.Send(batch));
    }

    private static byte[] ReceiveOne<TNic>(ref TNic nic) where TNic : struct, INic
    {
        var batch = new FrameBatch(new byte[FrameBatch.SlotSize * 4], new FrameEntry[2]);
        Assert.Equal(1, nic.Receive(ref batch));
        return batch.Frame(0).ToArray();
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd { public int Fd; public short Events; public short Revents; }

    [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static extern int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    private static bool Readable(int fd, int timeoutMilliseconds)
    {
        var p = new PollFd { Fd = fd, Events = 1 };   // POLLIN
        return Poll(&p, 1, timeoutMilliseconds) > 0;
    }
}
