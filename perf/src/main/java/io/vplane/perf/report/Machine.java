package io.vplane.perf.report;

import java.util.List;

/** What the figures were measured on: CPU model, logical CPUs, which of them are SMT siblings, kernel. */
public record Machine(String cpuModel, int logicalCpus, List<String> smtSiblings, String kernel)
{
    /** "none" or the sibling groups, e.g. "0,2 1,3". */
    public String siblingsText()
    {
        return smtSiblings.isEmpty() ? "none (no two logical CPUs share a core)" : String.join(" ", smtSiblings);
    }
}
