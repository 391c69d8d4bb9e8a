using Regs.Runtime;
using Regs.Virtio;

namespace Regs.Drivers.Virtio;

/// <summary>
/// What a virtio driver needs from a transport (virtio 1.2 section 4): status, features, queue
/// setup, notifications, interrupt causes and the device configuration space. Implemented by
/// structs for virtio-mmio modern and legacy and for virtio-pci modern; drivers are generic over it.
/// </summary>
/// <typeparam name="TAccess">The register-access backend of the transport's registers.</typeparam>
public interface IVirtioTransport<TAccess> : IGenerationCounter where TAccess : struct, IRegisterAccess<TAccess>
{
    /// <summary>
    /// Lets the device DMA (PCI: Bus Master). Opening leaves it off; the driver calls this once the
    /// device has been reset, so rings a previous owner left running never write into new memory.
    /// </summary>
    void AllowDma();

    /// <summary>True for a modern (virtio 1.x) interface: VERSION_1 must be negotiated and FEATURES_OK checked.</summary>
    bool Modern { get; }

    /// <summary>The device's configuration space (for <c>VirtioNetConfig&lt;TAccess&gt;</c>).</summary>
    TAccess DeviceConfig { get; }

    /// <summary>
    /// Bytes of <see cref="DeviceConfig"/> the device lets the driver read (virtio-pci: the
    /// DEVICE_CFG capability's length, checked against its BAR). The driver reads no field beyond it.
    /// </summary>
    uint DeviceConfigLength { get; }

    /// <summary>The device status.</summary>
    DeviceStatus ReadStatus();

    /// <summary>Writes the device status (0 resets the device).</summary>
    void WriteStatus(DeviceStatus status);

    /// <summary>All feature bits the device offers.</summary>
    ulong ReadDeviceFeatures();

    /// <summary>Writes the feature bits the driver accepts.</summary>
    void WriteDriverFeatures(ulong features);

    /// <summary>The largest size queue <paramref name="queue"/> supports, 0 when it does not exist.</summary>
    uint QueueSizeMax(uint queue);

    /// <summary>
    /// Tells the device where queue <paramref name="queue"/> of <paramref name="size"/> entries lives
    /// and enables it. The addresses are device addresses laid out by <see cref="VirtqueueSplit"/>,
    /// which also satisfies the legacy single-area layout. False if the transport cannot use them.
    /// <paramref name="vector"/> is the queue's MSI-X vector (<c>VirtioPciCap.NoVector</c> for none).
    /// <paramref name="notifyOffset"/> is what <see cref="Notify"/> needs for this queue.
    /// </summary>
    bool EnableQueue(uint queue, uint size, ulong descriptors, ulong driverArea, ulong deviceArea, uint vector, out uint notifyOffset);

    /// <summary>
    /// Routes configuration-change interrupts to MSI-X <paramref name="vector"/>, or to none with
    /// <c>VirtioPciCap.NoVector</c> (INTx through the ISR). False when the device refused (4.1.5.1.2)
    /// or the transport has no MSI-X. Queue vectors go with <see cref="EnableQueue"/>.
    /// </summary>
    bool SetConfigVector(uint vector);

    /// <summary>Sends an available-buffer notification for <paramref name="queue"/> (<paramref name="notifyOffset"/> from <see cref="EnableQueue"/>).</summary>
    void Notify(uint queue, uint notifyOffset);

    /// <summary>Reads and acknowledges the pending interrupt causes (which deasserts INTx).</summary>
    VirtioInterrupt TakeInterrupt();

    /// <summary>
    /// Lets the device assert its line interrupt (INTx) or not (PCI: Command.InterruptDisable).
    /// A driver that polls turns it off, so a level interrupt nobody acknowledges is never left
    /// asserted; a transport without such a switch (virtio-mmio) does nothing.
    /// </summary>
    void EnableLineInterrupt(bool enabled);
}

/// <summary>Interrupt causes a transport reports (virtio 1.2 sections 4.1.4.5, 4.2.2).</summary>
public readonly struct VirtioInterrupt
{
    /// <summary>A buffer was used in some virtqueue.</summary>
    public readonly bool Used;
    /// <summary>The device configuration changed.</summary>
    public readonly bool ConfigChange;

    /// <summary>The causes.</summary>
    public VirtioInterrupt(bool used, bool configChange) { Used = used; ConfigChange = configChange; }
}
