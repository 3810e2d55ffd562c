package io.vplane.nic.vswitch;

import io.vplane.nic.frame.IpAddressKey;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TranslationTableTest
{
    private final PortDirectory ports = new PortDirectory(16);
    private final TranslationTable table = new TranslationTable(ports, 1 << 17);

    @Test
    void shouldFindIpv4AndIpv6EntriesInOneTable()
    {
        table.put(TranslationEntry.of("10.0.0.2", "02:00:00:00:00:02", "02:ff:00:00:00:01", "vm1"));
        table.put(TranslationEntry.of("fd00::2", "02:00:00:00:00:03", "02:ff:00:00:00:01", "vm2"));
        final TranslationSnapshot snapshot = table.snapshot();

        final long[] v4 = IpAddressKey.parse("10.0.0.2");
        final int slot = snapshot.find(v4[0], v4[1]);
        assertThat(slot).isNotNegative();
        assertThat(snapshot.localMac(slot)).isEqualTo(0x0200_0000_0002L);
        assertThat(snapshot.globalMac(slot)).isEqualTo(0x02FF_0000_0001L);
        assertThat(snapshot.portIndex(slot)).isEqualTo(ports.indexOf("vm1"));

        final long[] v6 = IpAddressKey.parse("fd00::2");
        assertThat(snapshot.portIndex(snapshot.find(v6[0], v6[1]))).isEqualTo(ports.indexOf("vm2"));
        final long[] absent = IpAddressKey.parse("10.0.0.3");
        assertThat(snapshot.find(absent[0], absent[1])).isEqualTo(-1);
        assertThat(snapshot.isGlobalMac(0x02FF_0000_0001L)).isTrue();
        assertThat(snapshot.isGlobalMac(0x0200_0000_0002L)).isFalse();
    }

    @Test
    void shouldLeaveAnOldSnapshotUnchangedWhenTheTableChanges()
    {
        table.put(TranslationEntry.of("10.0.0.2", "02:00:00:00:00:02", "02:ff:00:00:00:01", "vm1"));
        final TranslationSnapshot old = table.snapshot();
        final long[] key = IpAddressKey.parse("10.0.0.2");

        table.remove(key[0], key[1]);

        assertThat(old.find(key[0], key[1])).isNotNegative();
        assertThat(table.snapshot().find(key[0], key[1])).isEqualTo(-1);
    }

    @Test
    void shouldFindEverOneOf65536Entries()
    {
        final List<TranslationEntry> entries = new ArrayList<>();
        for (int i = 0; i < 65536; i++)
        {
            entries.add(new TranslationEntry(0, IpAddressKey.v4Lo(0x0A00_0000 + i), 0x0200_0000_0000L + i + 1,
                0x02FF_0000_0001L, "vm" + (i & 7)));
        }
        table.replaceAll(entries);
        final TranslationSnapshot snapshot = table.snapshot();

        for (final TranslationEntry entry : entries)
        {
            final int slot = snapshot.find(entry.ipHi(), entry.ipLo());
            assertThat(slot).isNotNegative();
            assertThat(snapshot.localMac(slot)).isEqualTo(entry.localMac());
        }
        assertThat(snapshot.size()).isEqualTo(65536);
    }

    @Test
    void shouldRejectGroupMacsAndBadAddresses()
    {
        assertThatThrownBy(() -> TranslationEntry.of("10.0.0.2", "01:00:5e:00:00:01", "02:ff:00:00:00:01", "vm1"))
            .hasMessageContaining("localMac must be a unicast");
        assertThatThrownBy(() -> TranslationEntry.of("10.0.0.300", "02:00:00:00:00:01", "02:ff:00:00:00:01", "vm1"))
            .hasMessageContaining("not an IPv4 or IPv6");
        assertThatThrownBy(() -> TranslationEntry.of("10.0.0.3", "02:00:00:00:00", "02:ff:00:00:00:01", "vm1"))
            .hasMessageContaining("six hex octets");
    }

    @Test
    void shouldRefuseMoreEntriesThanConfigured()
    {
        final TranslationTable small = new TranslationTable(ports, 1);
        small.put(TranslationEntry.of("10.0.0.2", "02:00:00:00:00:02", "02:ff:00:00:00:01", "vm1"));
        assertThatThrownBy(() -> small.put(TranslationEntry.of("10.0.0.3", "02:00:00:00:00:03", "02:ff:00:00:00:01", "vm1")))
            .hasMessageContaining("full");
    }
}
