package io.vplane.nic.vswitch;

/** Names of the switch's counters (Prometheus style; labels: {@code switch}, {@code port}, {@code reason}, ...). */
public final class VswitchMetrics
{
    public static final String PORT_RX_FRAMES_TOTAL = "vplane_vswitch_port_rx_frames_total";
    public static final String PORT_RX_BYTES_TOTAL = "vplane_vswitch_port_rx_bytes_total";
    public static final String PORT_TX_FRAMES_TOTAL = "vplane_vswitch_port_tx_frames_total";
    public static final String PORT_TX_BYTES_TOTAL = "vplane_vswitch_port_tx_bytes_total";
    public static final String PORT_DROPS_TOTAL = "vplane_vswitch_port_drops_total";
    public static final String TABLE_HITS_TOTAL = "vplane_vswitch_table_hits_total";
    public static final String TABLE_MISSES_TOTAL = "vplane_vswitch_table_misses_total";
    public static final String TRANSLATIONS_TOTAL = "vplane_vswitch_translations_total";
    public static final String VM_TO_VM_TOTAL = "vplane_vswitch_vm_to_vm_total";
    public static final String FLOODS_TOTAL = "vplane_vswitch_floods_total";
    public static final String MAC_LEARNED_TOTAL = "vplane_vswitch_mac_learned_total";
    public static final String MAC_MOVES_TOTAL = "vplane_vswitch_mac_moves_total";
    public static final String MAC_TABLE_FULL_TOTAL = "vplane_vswitch_mac_table_full_total";
    public static final String COPIES_TOTAL = "vplane_vswitch_copies_total";
    public static final String PROXY_REPLIES_TOTAL = "vplane_vswitch_proxy_replies_total";
    public static final String TABLE_ENTRIES = "vplane_vswitch_table_entries";

    private VswitchMetrics()
    {
    }
}
