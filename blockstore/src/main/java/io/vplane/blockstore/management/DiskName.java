package io.vplane.blockstore.management;

import picocli.CommandLine.Option;

/** {@code --name NAME}: the disk a {@code ctl disk} command acts on (a picocli mixin). */
public final class DiskName
{
    @Option(names = "--name", required = true, paramLabel = "NAME", description = "Disk name.")
    String name;
}
