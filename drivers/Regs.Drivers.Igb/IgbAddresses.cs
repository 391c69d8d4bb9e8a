using System;
using System.Runtime.CompilerServices;
using Regs.Igb;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime;
using Regs.Runtime.Pci;

namespace Regs.Drivers.Igb;

// The register block, not this namespace.
using Igb = global::Regs.Igb.Igb;

// Receive address filters: station address (RAL/RAH) and multicast table (MTA).

public readonly unsafe partial struct IgbNic<TAccess, THost>
{
    /// <summary>
    /// The address the device came up with: RAL0/RAH0 when RAH0.AV is set (the device loads them
    /// from the EEPROM after reset), otherwise EEPROM words 0-2 read through EERD holding the NVM's
    /// SW_FW_SYNC bit (a read that never reports DONE, or an NVM the firmware never lets go, is a
    /// Timeout). NotFound when neither holds a station address.
    /// </summary>
    private NicStatus ReadDeviceMac(out ulong mac)
    {
        Igb.RAH rah = _regs.RAH(0).Read();
        mac = _regs.RAL(0).Read().Bits | (ulong)rah.RAH_ADDR << 32;
        if (rah.AV && IsStationAddress(mac)) return NicStatus.Ok;

        mac = 0;
        // The NVM is shared with the firmware: EERD reads hold SW_FW_SYNC.SW_EEP_SM (Linux igb_acquire_nvm_82575).
        NicStatus status = AcquireResource(EepromResource);
        if (status != NicStatus.Ok) return status;
        var eeprom = _regs.Eeprom;
        IndirectStatus io = IndirectStatus.Ok;
        for (uint word = 0; word < 3 && io == IndirectStatus.Ok; word++)
        {
            io = eeprom.MAC_ADDR(word).Read(out U16 value);
            mac |= (ulong)value.Bits << (int)(16 * word);
        }
        ReleaseResource(EepromResource);
        if (io != IndirectStatus.Ok) return FromIndirect(io);
        return IsStationAddress(mac) ? NicStatus.Ok : NicStatus.NotFound;
    }

    private static bool IsStationAddress(ulong mac) => mac != 0 && !new MacAddress(mac).IsMulticast;

    /// <summary>Receive address entry <paramref name="index"/>: RAL first, then RAH with AV (RAL/RAH: datasheet section not confirmed).</summary>
    private void WriteReceiveAddress(uint index, ulong mac)
    {
        _regs.RAL(index).Write((uint)mac);
        Igb.RAH rah = default;
        rah.RAH_ADDR = (uint)(mac >> 32);
        rah.AV = true;
        _regs.RAH(index).Write(rah);
    }

    /// <summary>
    /// Makes <paramref name="mac"/> the station address (RAL0/RAH0 with AV); it survives
    /// <see cref="Reset"/>. Unsupported for group addresses and zero.
    /// </summary>
    public NicStatus SetMac(MacAddress mac)
    {
        if (_state == null) return NicStatus.NotInitialised;
        if (mac.IsMulticast || mac.Bits == 0) return NicStatus.Unsupported;
        _state->Mac = mac.Bits;
        WriteReceiveAddress(0, mac.Bits);
        return NicStatus.Ok;
    }

    /// <summary>
    /// Accepts frames sent to the multicast group <paramref name="group"/> through the multicast
    /// table (MTA, datasheet section not confirmed; RCTL.MO = 0, 8.10.1): the hash is destination
    /// address bits 47:36, its upper 7 bits select the MTA word and its lower 5 bits the bit
    /// (<see cref="Igb.MtaEntryBits"/> per word). The table is shadowed in private memory so it
    /// survives <see cref="Reset"/>. Unsupported for unicast addresses.
    /// </summary>
    public NicStatus AddMulticast(MacAddress group)
    {
        if (_state == null) return NicStatus.NotInitialised;
        if (!group.IsMulticast) return NicStatus.Unsupported;
        uint hash = MulticastHash(group);
        uint word = hash / Igb.MtaEntryBits;
        uint bit = hash % Igb.MtaEntryBits;
        int slot = (int)(word % Igb.MTACount);
        _state->Mta[slot] |= 1u << (int)bit;
        _regs.MTA(word).Write(_state->Mta[slot]);
        return NicStatus.Ok;
    }

    /// <summary>The 12-bit multicast table index of <paramref name="address"/> with RCTL.MO = 0: address bits 47:36 (RCTL 8.10.1; the MTA's datasheet section is not confirmed).</summary>
    public static uint MulticastHash(MacAddress address) => (uint)(address.Bits >> (int)Igb.MulticastHashShift) % (Igb.MTACount * Igb.MtaEntryBits);
}
