package io.vplane.engine.cli;

import picocli.CommandLine.Parameters;

/** The {@code NAME} of the device a command acts on, its first parameter (a picocli mixin). */
public final class DeviceName
{
    @Parameters(index = "0", paramLabel = "NAME", description = "Device name.")
    private String name;

    public String name()
    {
        return name;
    }
}
