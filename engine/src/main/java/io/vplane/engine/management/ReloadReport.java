package io.vplane.engine.management;

import java.util.List;

/**
 * What a reload did, setting by setting.
 *
 * @param source  the file that was read
 * @param changes every setting whose value differs from the running config
 */
public record ReloadReport(String source, List<Change> changes)
{
    public enum Outcome
    {
        APPLIED,
        NEEDS_RESTART
    }

    public record Change(String path, String oldValue, String newValue, Outcome outcome)
    {
    }
}
