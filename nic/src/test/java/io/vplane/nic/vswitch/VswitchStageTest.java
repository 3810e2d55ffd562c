package io.vplane.nic.vswitch;

import io.vplane.engine.counters.Counters;
import io.vplane.nic.frame.Arp;
import io.vplane.nic.frame.Checksums;
import io.vplane.nic.frame.Ethernet;
import io.vplane.nic.frame.MacAddress;
import io.vplane.nic.frame.Ndp;
import io.vplane.nic.frame.TestFrames;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class VswitchStageTest
{
    static final long LOCAL1 = 0x0200_0000_0001L;
    static final long LOCAL2 = 0x0200_0000_0002L;
    static final long GLOBAL = 0x02FF_0000_0001L;
    static final long REMOTE = 0x0266_0000_0001L;
    static final String VM1_IP = "10.0.0.1";
    static final String VM2_IP = "10.0.0.2";
    static final String VM1_IP6 = "fd00::1";
    static final String REMOTE_IP = "192.168.1.9";

    private final Counters counters = Counters.inMemory(1024);
    private long now = 1_000_000_000L;
    private VswitchStage stage;
    private TestPort vm1;
    private TestPort vm2;
    private TestPort uplink;

    @BeforeEach
    void setUp()
    {
        start(VswitchConfig.defaults("sw0"));
    }

    private void start(final VswitchConfig settings)
    {
        if (null != stage)
        {
            stage.close();
        }
        stage = new VswitchStage(settings, counters, () -> now);
        vm1 = new TestPort("vm1", PortRole.VM);
        vm2 = new TestPort("vm2", PortRole.VM);
        uplink = new TestPort("up0", PortRole.UPLINK);
        stage.attach(vm1);
        stage.attach(vm2);
        stage.attach(uplink);
        stage.table().put(TranslationEntry.of(VM1_IP, "02:00:00:00:00:01", "02:ff:00:00:00:01", "vm1"));
        stage.table().put(TranslationEntry.of(VM2_IP, "02:00:00:00:00:02", "02:ff:00:00:00:01", "vm2"));
        stage.table().put(TranslationEntry.of(VM1_IP6, "02:00:00:00:00:01", "02:ff:00:00:00:01", "vm1"));
    }

    @AfterEach
    void tearDown()
    {
        assertThat(vm1.guardViolations + vm2.guardViolations + uplink.guardViolations).isZero();
        stage.close();
    }

    private void run()
    {
        for (int i = 0; i < 4; i++)
        {
            stage.doWork(1024);
        }
    }

    private static long mac(final byte[] frame, final int offset)
    {
        return MacAddress.read(new UnsafeBuffer(frame), offset);
    }

    private long counter(final String label)
    {
        return counters.value(label);
    }

    @Test
    void shouldTranslateSourceToGlobalWhenVmSendsToUplinkAndFloodVmsUntranslated()
    {
        vm1.offer(TestFrames.ethernet(REMOTE, LOCAL1).ipv4Udp(VM1_IP, REMOTE_IP, 18).bytes());
        run();

        assertThat(uplink.sent).hasSize(1);
        assertThat(mac(uplink.lastSent(), Ethernet.SRC_OFFSET)).isEqualTo(GLOBAL);
        assertThat(vm2.sent).hasSize(1);
        assertThat(mac(vm2.lastSent(), Ethernet.SRC_OFFSET)).isEqualTo(LOCAL1);
        assertThat(counter("vplane_vswitch_translations_total{switch=\"sw0\",direction=\"to_global\"}")).isEqualTo(1);
        assertThat(counter("vplane_vswitch_floods_total{switch=\"sw0\"}")).isEqualTo(1);
    }

    @Test
    void shouldSendToLearnedUplinkOnlyOnceTheRemoteMacIsKnown()
    {
        uplink.offer(TestFrames.ethernet(MacAddress.BROADCAST, REMOTE).ipv4Udp(REMOTE_IP, "192.168.1.255", 0).bytes());
        run();
        vm1.sent.clear();
        vm2.sent.clear();

        vm1.offer(TestFrames.ethernet(REMOTE, LOCAL1).ipv4Udp(VM1_IP, REMOTE_IP, 18).bytes());
        run();

        assertThat(uplink.sent).hasSize(1);
        assertThat(mac(uplink.lastSent(), Ethernet.SRC_OFFSET)).isEqualTo(GLOBAL);
        assertThat(vm2.sent).isEmpty();
        assertThat(counter("vplane_vswitch_mac_learned_total{switch=\"sw0\"}")).isEqualTo(2);
    }

    @Test
    void shouldTranslateGlobalDestinationToLocalOfTheVmOwningTheIp()
    {
        uplink.offer(TestFrames.ethernet(GLOBAL, REMOTE).ipv4Udp(REMOTE_IP, VM2_IP, 18).bytes());
        run();

        assertThat(vm1.sent).isEmpty();
        assertThat(vm2.sent).hasSize(1);
        assertThat(mac(vm2.lastSent(), Ethernet.DST_OFFSET)).isEqualTo(LOCAL2);
        assertThat(counter("vplane_vswitch_translations_total{switch=\"sw0\",direction=\"to_local\"}")).isEqualTo(1);
        assertThat(counter("vplane_vswitch_table_hits_total{switch=\"sw0\"}")).isEqualTo(1);
    }

    @Test
    void shouldTranslateIpv6Destination()
    {
        uplink.offer(TestFrames.ethernet(GLOBAL, REMOTE).ipv6Udp("fd00::99", VM1_IP6, 10).bytes());
        run();

        assertThat(vm1.sent).hasSize(1);
        assertThat(mac(vm1.lastSent(), Ethernet.DST_OFFSET)).isEqualTo(LOCAL1);
    }

    @Test
    void shouldTranslateIpv6SourceWhenVmSendsToUplink()
    {
        vm1.offer(TestFrames.ethernet(REMOTE, LOCAL1).ipv6Udp(VM1_IP6, "fd00::99", 10).bytes());
        run();

        assertThat(mac(uplink.lastSent(), Ethernet.SRC_OFFSET)).isEqualTo(GLOBAL);
    }

    @Test
    void shouldDropUplinkFrameToGlobalMacForUnknownIp()
    {
        uplink.offer(TestFrames.ethernet(GLOBAL, REMOTE).ipv4Udp(REMOTE_IP, "10.0.0.77", 18).bytes());
        run();

        assertThat(vm1.sent).isEmpty();
        assertThat(vm2.sent).isEmpty();
        assertThat(stage.portStats("up0").drops(DropReason.NO_ROUTE)).isEqualTo(1);
        assertThat(counter("vplane_vswitch_table_misses_total{switch=\"sw0\"}")).isEqualTo(1);
    }

    @Test
    void shouldDeliverVmToVmDirectlyWithoutTranslation()
    {
        vm1.offer(TestFrames.ethernet(LOCAL2, LOCAL1).ipv4Udp(VM1_IP, VM2_IP, 18).bytes());
        run();

        assertThat(vm2.sent).hasSize(1);
        assertThat(mac(vm2.lastSent(), Ethernet.SRC_OFFSET)).isEqualTo(LOCAL1);
        assertThat(mac(vm2.lastSent(), Ethernet.DST_OFFSET)).isEqualTo(LOCAL2);
        assertThat(uplink.sent).isEmpty();
        assertThat(counter("vplane_vswitch_vm_to_vm_total{switch=\"sw0\"}")).isEqualTo(1);
    }

    @Test
    void shouldGiveAVmToVmFrameSentToAnotherMacTheLocalMacOfTheVmOwningTheIp()
    {
        // VM 1 addressed VM 2 through the global MAC (a gateway's would do the same): the table
        // picks VM 2's port by IP, and VM 2 must get a frame to its own MAC or it drops it
        vm1.offer(TestFrames.ethernet(GLOBAL, LOCAL1).ipv4Udp(VM1_IP, VM2_IP, 18).bytes());
        run();

        assertThat(vm2.sent).hasSize(1);
        assertThat(mac(vm2.lastSent(), Ethernet.DST_OFFSET)).isEqualTo(LOCAL2);
        assertThat(mac(vm2.lastSent(), Ethernet.SRC_OFFSET)).isEqualTo(LOCAL1);
        assertThat(uplink.sent).isEmpty();
        assertThat(counter("vplane_vswitch_vm_to_vm_total{switch=\"sw0\"}")).isEqualTo(1);
        assertThat(counter("vplane_vswitch_translations_total{switch=\"sw0\",direction=\"to_local\"}")).isEqualTo(1);
    }

    @Test
    void shouldForwardPlainL2WhenIpIsNotInTable()
    {
        final long other = 0x0200_0000_00AAL;
        final long peer = 0x0200_0000_00BBL;
        vm2.offer(TestFrames.ethernet(MacAddress.BROADCAST, peer).ipv4Udp("10.9.0.2", "10.9.0.255", 0).bytes());
        run();
        vm1.offer(TestFrames.ethernet(peer, other).ipv4Udp("10.9.0.1", "10.9.0.2", 18).bytes());
        run();

        assertThat(vm2.sent).hasSize(1);
        assertThat(mac(vm2.lastSent(), Ethernet.SRC_OFFSET)).isEqualTo(other);
        assertThat(uplink.sent).hasSize(1); // only the broadcast
        assertThat(counter("vplane_vswitch_translations_total{switch=\"sw0\",direction=\"to_global\"}")).isZero();
    }

    @Test
    void shouldFloodUnknownUnicastAndBroadcastOnlyWithinTheSegment()
    {
        final TestPort otherVni = new TestPort("vx7", PortRole.UPLINK, 7, vlan -> true);
        final TestPort vlan20Only = new TestPort("acc20", PortRole.VM, 0, vlan -> vlan == 20);
        stage.attach(otherVni);
        stage.attach(vlan20Only);

        vm1.offer(TestFrames.ethernet(0x0200_0000_00CCL, 0x0200_0000_00DDL, 10).ipv4Udp("10.9.0.1", "10.9.0.2", 0).bytes());
        vm1.offer(TestFrames.ethernet(MacAddress.BROADCAST, 0x0200_0000_00DDL, 20).etherType(0x88B5).padTo(60).bytes());
        run();

        assertThat(vm2.sent).hasSize(2);
        assertThat(uplink.sent).hasSize(2);
        assertThat(vlan20Only.sent).hasSize(1);
        assertThat(otherVni.sent).isEmpty();
        assertThat(vm1.sent).isEmpty();
        assertThat(counter("vplane_vswitch_floods_total{switch=\"sw0\"}")).isEqualTo(2);
    }

    @Test
    void shouldKeepSegmentsApartWhenLearning()
    {
        final long peer = 0x0200_0000_00BBL;
        vm2.offer(TestFrames.ethernet(MacAddress.BROADCAST, peer, 10).etherType(0x88B5).padTo(60).bytes());
        run();
        vm2.sent.clear();
        uplink.sent.clear();

        // same MAC, other VLAN: not learned there, so flooded
        vm1.offer(TestFrames.ethernet(peer, 0x0200_0000_00EEL, 11).etherType(0x88B5).padTo(60).bytes());
        run();

        assertThat(vm2.sent).hasSize(1);
        assertThat(uplink.sent).hasSize(1);
    }

    @Test
    void shouldForgetLearnedMacsAfterAging()
    {
        final long peer = 0x0200_0000_00BBL;
        vm2.offer(TestFrames.ethernet(MacAddress.BROADCAST, peer).etherType(0x88B5).padTo(60).bytes());
        run();
        vm1.offer(TestFrames.ethernet(peer, 0x0200_0000_00EEL).etherType(0x88B5).padTo(60).bytes());
        run();
        assertThat(uplink.sent).hasSize(1);

        now += 301_000_000_000L;
        vm1.offer(TestFrames.ethernet(peer, 0x0200_0000_00EEL).etherType(0x88B5).padTo(60).bytes());
        run();

        assertThat(uplink.sent).hasSize(2);
    }

    @Test
    void shouldDropFramesClaimingAnotherVmsIp()
    {
        vm2.offer(TestFrames.ethernet(REMOTE, LOCAL2).ipv4Udp(VM1_IP, REMOTE_IP, 18).bytes());
        vm2.offer(TestFrames.ethernet(MacAddress.BROADCAST, LOCAL2).arp(Arp.OPER_REQUEST, LOCAL2, VM1_IP, 0, REMOTE_IP).bytes());
        run();

        assertThat(uplink.sent).isEmpty();
        assertThat(vm1.sent).isEmpty();
        assertThat(stage.portStats("vm2").drops(DropReason.SPOOFED)).isEqualTo(2);
    }

    @Test
    void shouldForwardSpoofedFramesWhenAntiSpoofingIsOffWithoutTranslatingThem()
    {
        start(VswitchConfig.defaults("sw1").withAntiSpoofing(false));
        vm2.offer(TestFrames.ethernet(REMOTE, LOCAL2).ipv4Udp(VM1_IP, REMOTE_IP, 18).bytes());
        run();

        assertThat(mac(uplink.lastSent(), Ethernet.SRC_OFFSET)).isEqualTo(LOCAL2);
    }

    @Test
    void shouldRewriteArpSenderWhenVmAsksTheUplink()
    {
        vm1.offer(TestFrames.ethernet(MacAddress.BROADCAST, LOCAL1).arp(Arp.OPER_REQUEST, LOCAL1, VM1_IP, 0, REMOTE_IP).bytes());
        run();

        final UnsafeBuffer out = new UnsafeBuffer(uplink.lastSent());
        assertThat(MacAddress.read(out, Ethernet.SRC_OFFSET)).isEqualTo(GLOBAL);
        assertThat(MacAddress.read(out, 14 + Arp.SHA_OFFSET)).isEqualTo(GLOBAL);
        assertThat(MacAddress.read(new UnsafeBuffer(vm2.lastSent()), 14 + Arp.SHA_OFFSET)).isEqualTo(LOCAL1);
    }

    @Test
    void shouldRewriteArpTargetWhenReplyComesBackToGlobalMac()
    {
        uplink.offer(TestFrames.ethernet(GLOBAL, REMOTE).arp(Arp.OPER_REPLY, REMOTE, REMOTE_IP, GLOBAL, VM1_IP).bytes());
        run();

        final UnsafeBuffer out = new UnsafeBuffer(vm1.lastSent());
        assertThat(MacAddress.read(out, Ethernet.DST_OFFSET)).isEqualTo(LOCAL1);
        assertThat(MacAddress.read(out, 14 + Arp.THA_OFFSET)).isEqualTo(LOCAL1);
        assertThat(MacAddress.read(out, 14 + Arp.SHA_OFFSET)).isEqualTo(REMOTE);
        assertThat(vm2.sent).isEmpty();
    }

    @Test
    void shouldRewriteNeighborAdvertisementTargetOptionAndChecksum()
    {
        vm1.offer(TestFrames.ethernet(REMOTE, LOCAL1).ndp(Ndp.TYPE_NEIGHBOR_ADVERTISEMENT, VM1_IP6, "fd00::99",
            VM1_IP6, Ndp.OPTION_TARGET_LINK_LAYER, LOCAL1).bytes());
        run();

        final UnsafeBuffer out = new UnsafeBuffer(uplink.lastSent());
        assertThat(MacAddress.read(out, Ethernet.SRC_OFFSET)).isEqualTo(GLOBAL);
        assertThat(MacAddress.read(out, 14 + 40 + 24 + 2)).isEqualTo(GLOBAL);
        assertValidIcmpv6(out);
    }

    @Test
    void shouldRewriteNeighborSolicitationSourceOption()
    {
        vm1.offer(TestFrames.ethernet(0x3333_FF00_0099L, LOCAL1).ndp(Ndp.TYPE_NEIGHBOR_SOLICITATION, VM1_IP6,
            "ff02::1:ff00:99", "fd00::99", Ndp.OPTION_SOURCE_LINK_LAYER, LOCAL1).bytes());
        run();

        final UnsafeBuffer out = new UnsafeBuffer(uplink.lastSent());
        assertThat(MacAddress.read(out, 14 + 40 + 24 + 2)).isEqualTo(GLOBAL);
        assertValidIcmpv6(out);
        assertThat(MacAddress.read(new UnsafeBuffer(vm2.lastSent()), 14 + 40 + 24 + 2)).isEqualTo(LOCAL1);
    }

    @Test
    void shouldTranslateVlanTaggedFramesAndKeepTheTags()
    {
        uplink.offer(TestFrames.ethernet(GLOBAL, REMOTE, 100, 200).ipv4Udp(REMOTE_IP, VM1_IP, 18).bytes());
        run();

        final UnsafeBuffer out = new UnsafeBuffer(vm1.lastSent());
        assertThat(MacAddress.read(out, Ethernet.DST_OFFSET)).isEqualTo(LOCAL1);
        assertThat(out.getShort(14, ByteOrder.BIG_ENDIAN) & 0xFFF).isEqualTo(100);
        assertThat(out.getShort(16, ByteOrder.BIG_ENDIAN) & 0xFFFF).isEqualTo(Ethernet.TPID_8021Q);
        assertThat(out.getShort(18, ByteOrder.BIG_ENDIAN) & 0xFFF).isEqualTo(200);
    }

    @Test
    void shouldAnswerArpForLocalVmFromTableWhenProxying()
    {
        start(VswitchConfig.defaults("sw2").withProxy(true, true));
        uplink.offer(TestFrames.ethernet(MacAddress.BROADCAST, REMOTE).arp(Arp.OPER_REQUEST, REMOTE, REMOTE_IP, 0, VM2_IP).bytes());
        vm1.offer(TestFrames.ethernet(MacAddress.BROADCAST, LOCAL1).arp(Arp.OPER_REQUEST, LOCAL1, VM1_IP, 0, VM2_IP).bytes());
        run();

        assertThat(vm2.sent).isEmpty();
        final UnsafeBuffer toUplink = new UnsafeBuffer(uplink.lastSent());
        assertThat(toUplink.getShort(14 + Arp.OPER_OFFSET, ByteOrder.BIG_ENDIAN)).isEqualTo((short)Arp.OPER_REPLY);
        assertThat(MacAddress.read(toUplink, Ethernet.DST_OFFSET)).isEqualTo(REMOTE);
        assertThat(MacAddress.read(toUplink, Ethernet.SRC_OFFSET)).isEqualTo(GLOBAL);
        assertThat(MacAddress.read(toUplink, 14 + Arp.SHA_OFFSET)).isEqualTo(GLOBAL);
        assertThat(toUplink.getInt(14 + Arp.SPA_OFFSET, ByteOrder.BIG_ENDIAN)).isEqualTo(TestFrames.ipv4(VM2_IP));
        assertThat(MacAddress.read(toUplink, 14 + Arp.THA_OFFSET)).isEqualTo(REMOTE);
        assertThat(toUplink.getInt(14 + Arp.TPA_OFFSET, ByteOrder.BIG_ENDIAN)).isEqualTo(TestFrames.ipv4(REMOTE_IP));

        final UnsafeBuffer toVm = new UnsafeBuffer(vm1.lastSent());
        assertThat(MacAddress.read(toVm, 14 + Arp.SHA_OFFSET)).isEqualTo(LOCAL2);
        assertThat(counter("vplane_vswitch_proxy_replies_total{switch=\"sw2\",protocol=\"arp\"}")).isEqualTo(2);
    }

    @Test
    void shouldNotProxyForAVmWhosePortIsNotAttached()
    {
        start(VswitchConfig.defaults("sw5").withProxy(true, true));
        stage.table().put(TranslationEntry.of("10.0.0.7", "02:00:00:00:00:07", "02:ff:00:00:00:01", "vm7"));
        uplink.offer(TestFrames.ethernet(MacAddress.BROADCAST, REMOTE).arp(Arp.OPER_REQUEST, REMOTE, REMOTE_IP, 0, "10.0.0.7").bytes());
        run();

        assertThat(uplink.sent).isEmpty();
        assertThat(vm1.sent).hasSize(1);
        assertThat(counter("vplane_vswitch_proxy_replies_total{switch=\"sw5\",protocol=\"arp\"}")).isZero();
    }

    @Test
    void shouldAnswerNeighborSolicitationWithAdvertisementWhenProxying()
    {
        start(VswitchConfig.defaults("sw3").withProxy(true, true));
        uplink.offer(TestFrames.ethernet(0x3333_FF00_0001L, REMOTE).ndp(Ndp.TYPE_NEIGHBOR_SOLICITATION, "fd00::99",
            "ff02::1:ff00:1", VM1_IP6, Ndp.OPTION_SOURCE_LINK_LAYER, REMOTE).bytes());
        run();

        assertThat(vm1.sent).isEmpty();
        final byte[] reply = uplink.lastSent();
        assertThat(reply).hasSize(14 + 40 + 32);
        final UnsafeBuffer out = new UnsafeBuffer(reply);
        assertThat(out.getByte(14 + 40) & 0xFF).isEqualTo(Ndp.TYPE_NEIGHBOR_ADVERTISEMENT);
        assertThat(MacAddress.read(out, Ethernet.DST_OFFSET)).isEqualTo(REMOTE);
        assertThat(MacAddress.read(out, Ethernet.SRC_OFFSET)).isEqualTo(GLOBAL);
        assertThat(out.getByte(14 + 40 + 24) & 0xFF).isEqualTo(Ndp.OPTION_TARGET_LINK_LAYER);
        assertThat(MacAddress.read(out, 14 + 40 + 26)).isEqualTo(GLOBAL);
        assertThat(out.getLong(14 + 8 + 8, ByteOrder.BIG_ENDIAN)).isEqualTo(1L); // IPv6 source fd00::1
        assertValidIcmpv6(out);
    }

    @Test
    void shouldNotProxyDuplicateAddressDetectionProbes()
    {
        start(VswitchConfig.defaults("sw4").withProxy(true, true));
        uplink.offer(TestFrames.ethernet(0x3333_FF00_0001L, REMOTE).ndp(Ndp.TYPE_NEIGHBOR_SOLICITATION, "::",
            "ff02::1:ff00:1", VM1_IP6, 0, 0).bytes());
        run();

        assertThat(uplink.sent).isEmpty();
        assertThat(vm1.sent).hasSize(1);
    }

    @Test
    void shouldCountEachBadFrameByReason()
    {
        vm1.offer(new byte[10]);
        vm1.offer(new byte[9300]);
        vm1.offer(TestFrames.ethernet(REMOTE, LOCAL1, 1, 2, 3).ipv4Udp(VM1_IP, REMOTE_IP, 0).bytes());
        vm1.offer(TestFrames.ethernet(REMOTE, LOCAL1).ipv4Udp(VM1_IP, REMOTE_IP, 0).truncate(30).bytes());
        vm1.offer(TestFrames.ethernet(REMOTE, LOCAL1).arp(1, LOCAL1, VM1_IP, 0, REMOTE_IP).truncate(30).bytes());
        final byte[] badNdp = TestFrames.ethernet(REMOTE, LOCAL1).ndp(Ndp.TYPE_NEIGHBOR_ADVERTISEMENT, VM1_IP6,
            "fd00::99", VM1_IP6, Ndp.OPTION_TARGET_LINK_LAYER, LOCAL1).bytes();
        badNdp[14 + 40 + 25] = 0;
        vm1.offer(badNdp);
        run();

        final VswitchStage.PortStats stats = stage.portStats("vm1");
        assertThat(stats.rxFrames()).isEqualTo(6);
        assertThat(stats.drops(DropReason.RUNT)).isEqualTo(1);
        assertThat(stats.drops(DropReason.OVERSIZED)).isEqualTo(1);
        assertThat(stats.drops(DropReason.TOO_MANY_TAGS)).isEqualTo(1);
        assertThat(stats.drops(DropReason.TRUNCATED_IP)).isEqualTo(1);
        assertThat(stats.drops(DropReason.TRUNCATED_ARP)).isEqualTo(1);
        assertThat(stats.drops(DropReason.TRUNCATED_NDP)).isEqualTo(1);
        assertThat(uplink.sent).isEmpty();
        assertThat(vm2.sent).isEmpty();
    }

    @Test
    void shouldCountRefusedTransmitsAndCopies()
    {
        vm2.txResult = SwitchPort.TX_REFUSED;
        uplink.txResult = SwitchPort.TX_COPIED;
        vm1.offer(TestFrames.ethernet(MacAddress.BROADCAST, LOCAL1).etherType(0x88B5).padTo(60).bytes());
        run();

        assertThat(stage.portStats("vm2").drops(DropReason.TX_REFUSED)).isEqualTo(1);
        assertThat(stage.portStats("up0").txFrames()).isEqualTo(1);
        assertThat(counter("vplane_vswitch_copies_total{switch=\"sw0\"}")).isEqualTo(1);
        assertThat(counter("vplane_vswitch_port_rx_bytes_total{switch=\"sw0\",port=\"vm1\"}")).isEqualTo(60);
        assertThat(uplink.flushes).isEqualTo(1);
    }

    @Test
    void shouldApplyTableChangesFromTheNextBurst()
    {
        uplink.offer(TestFrames.ethernet(GLOBAL, REMOTE).ipv4Udp(REMOTE_IP, VM2_IP, 18).bytes());
        run();
        stage.table().put(TranslationEntry.of(VM2_IP, "02:00:00:00:00:22", "02:ff:00:00:00:01", "vm1"));
        uplink.offer(TestFrames.ethernet(GLOBAL, REMOTE).ipv4Udp(REMOTE_IP, VM2_IP, 18).bytes());
        run();

        assertThat(mac(vm2.lastSent(), Ethernet.DST_OFFSET)).isEqualTo(LOCAL2);
        assertThat(mac(vm1.lastSent(), Ethernet.DST_OFFSET)).isEqualTo(0x0200_0000_0022L);
    }

    @Test
    void shouldStopUsingADetachedPortAndForgetItsMacs()
    {
        final long peer = 0x0200_0000_00BBL;
        vm2.offer(TestFrames.ethernet(MacAddress.BROADCAST, peer).etherType(0x88B5).padTo(60).bytes());
        run();
        assertThat(stage.detach("vm2")).isTrue();

        vm1.offer(TestFrames.ethernet(peer, 0x0200_0000_00EEL).etherType(0x88B5).padTo(60).bytes());
        run();

        assertThat(vm2.sent).isEmpty();
        assertThat(uplink.sent).hasSize(2);
        assertThat(stage.ports()).containsExactly("vm1", "up0");
    }

    private static void assertValidIcmpv6(final UnsafeBuffer frame)
    {
        final int icmpLength = frame.getShort(14 + 4, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final int stored = frame.getShort(14 + 40 + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        assertThat(stored).isEqualTo(Checksums.icmpv6(frame, 14, 14 + 40, icmpLength));
    }
}
