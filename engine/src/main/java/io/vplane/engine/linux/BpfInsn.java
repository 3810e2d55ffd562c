package io.vplane.engine.linux;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * struct bpf_insn (uapi/linux/bpf.h), 8 bytes: 0 u8 code, 1 u8 dst_reg (low 4 bits) | src_reg (high 4
 * bits), 2 s16 off, 4 s32 imm. The few eBPF instructions a tiny program needs.
 */
public final class BpfInsn
{
    public static final int SIZE = 8;

    /** dst = *(u32 *)(src + off): BPF_LDX | BPF_MEM | BPF_W. */
    static final int LDX_MEM_W = 0x61;
    /** dst = imm (64-bit register): BPF_ALU64 | BPF_MOV | BPF_K. */
    static final int MOV64_IMM = 0xb7;
    /** dst = 64-bit immediate over two instructions: BPF_LD | BPF_DW | BPF_IMM. */
    static final int LD_IMM64 = 0x18;
    /** src_reg of {@link #LD_IMM64}: the immediate is a map's descriptor. */
    static final int PSEUDO_MAP_FD = 1;
    static final int CALL = 0x85;
    static final int EXIT = 0x95;

    private BpfInsn()
    {
    }

    /** Writes instruction {@code index} of {@code program}. */
    static void put(final MemorySegment program, final int index, final int code, final int dst, final int src,
        final int off, final int imm)
    {
        final long at = (long)index * SIZE;
        program.set(JAVA_BYTE, at, (byte)code);
        program.set(JAVA_BYTE, at + 1, (byte)((src & 0xf) << 4 | dst & 0xf));
        program.set(JAVA_SHORT, at + 2, (short)off);
        program.set(JAVA_INT, at + 4, imm);
    }
}
