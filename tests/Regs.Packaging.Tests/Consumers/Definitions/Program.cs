using System;
using System.Buffers.Binary;
using Regs.Igb;
using Regs.Packaging.Consumer;
using Regs.Virtio;

// A driver-side program that uses the packaged, precompiled igb and virtio accessors over a
// byte-array backend: no generator, no YAML.
var igbBar = new byte[0x20000];
var igb = new Igb<ByteArrayAccess>(new ByteArrayAccess(igbBar));
Igb.CTRL ctrl = igb.CTRL.Read();
ctrl.SLU = true;
igb.CTRL.Write(ctrl);
igb.MDIC.Write(new Igb.MDIC { REGADD = 1, PHYADD = 1, OP = MdicOpcode.Read });
igb.MTA(3).Write(0xA5A5A5A5);
Console.WriteLine($"igb CTRL=0x{BinaryPrimitives.ReadUInt32LittleEndian(igbBar.AsSpan(0x0000)):X8} SLU={igb.CTRL.Read().SLU}");
Console.WriteLine($"igb MDIC=0x{BinaryPrimitives.ReadUInt32LittleEndian(igbBar.AsSpan(0x0020)):X8} OP={igb.MDIC.Read().OP}");
Console.WriteLine($"igb MTA[3]=0x{BinaryPrimitives.ReadUInt32LittleEndian(igbBar.AsSpan(0x5200 + 3 * 4)):X8}");

var mmio = new byte[0x200];
BinaryPrimitives.WriteUInt32LittleEndian(mmio.AsSpan(0x000), VirtioMmio.ExpectedMagic);
BinaryPrimitives.WriteUInt32LittleEndian(mmio.AsSpan(0x004), VirtioMmio.ModernVersion);
var virtio = new VirtioMmio<ByteArrayAccess>(new ByteArrayAccess(mmio));
bool found = virtio.MagicValue.Read() == VirtioMmio.ExpectedMagic && virtio.Version.Read() == VirtioMmio.ModernVersion;
virtio.Status.Write(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER);
Console.WriteLine($"virtio found={found} Status=0x{mmio[0x070]:X2} ({virtio.Status.Read().Value})");
