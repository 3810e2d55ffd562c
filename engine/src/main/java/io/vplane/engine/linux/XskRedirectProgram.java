package io.vplane.engine.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The XDP program of an AF_XDP uplink, built here rather than read from an object file: every frame
 * the interface receives on queue {@code q} goes to the AF_XDP socket at key {@code q} of an XSKMAP,
 * and to the kernel's own stack when that key holds none. Its C form:
 *
 * <pre>
 * int xsk_redirect(struct xdp_md *ctx)
 * {
 *     return bpf_redirect_map(&amp;xsks, ctx-&gt;rx_queue_index, XDP_PASS);
 * }
 * </pre>
 *
 * (the low bits of the flags are the action when the lookup fails: Linux 5.6 and later).
 */
public final class XskRedirectProgram
{
    /** struct xdp_md: 0 data, 4 data_end, 8 data_meta, 12 ingress_ifindex, 16 rx_queue_index. */
    static final int XDP_MD_RX_QUEUE_INDEX = 16;
    static final int XDP_PASS = 2;
    static final int BPF_FUNC_REDIRECT_MAP = 51;
    static final int INSTRUCTIONS = 6;

    private XskRedirectProgram()
    {
    }

    /**
     * Loads the program over the XSKMAP {@code xskMapFd}.
     *
     * @return the program's descriptor
     * @throws IllegalStateException with the errno and the verifier's log when the kernel refuses it
     */
    public static int load(final int xskMapFd)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment program = arena.allocate((long)INSTRUCTIONS * BpfInsn.SIZE, 8);
            // r2 = ctx->rx_queue_index
            BpfInsn.put(program, 0, BpfInsn.LDX_MEM_W, 2, 1, XDP_MD_RX_QUEUE_INDEX, 0);
            // r1 = &xsks (the map's descriptor, replaced by the map's address when loaded)
            BpfInsn.put(program, 1, BpfInsn.LD_IMM64, 1, BpfInsn.PSEUDO_MAP_FD, 0, xskMapFd);
            BpfInsn.put(program, 2, 0, 0, 0, 0, 0);
            // r3 = XDP_PASS: the action when the map has no socket for this queue
            BpfInsn.put(program, 3, BpfInsn.MOV64_IMM, 3, 0, 0, XDP_PASS);
            BpfInsn.put(program, 4, BpfInsn.CALL, 0, 0, 0, BPF_FUNC_REDIRECT_MAP);
            BpfInsn.put(program, 5, BpfInsn.EXIT, 0, 0, 0, 0);
            return Bpf.loadProgram(Bpf.BPF_PROG_TYPE_XDP, Bpf.BPF_XDP, program, "GPL", "vplane_xsk");
        }
    }
}
