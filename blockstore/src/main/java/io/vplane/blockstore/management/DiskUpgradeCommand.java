package io.vplane.blockstore.management;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vplane.engine.cli.ApiCommand;
import io.vplane.engine.management.ManagementClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Map;

/**
 * {@code vplane ctl disk upgrade --name NAME [--backend IMAGE|URI]}: swaps a disk's backend while
 * its clients keep their I/O in flight, through POST /disk/upgrade.
 */
@Command(name = "upgrade", mixinStandardHelpOptions = true,
    description = "Swap a disk's backend under load: its queues stop forwarding, requests at the old backend complete, "
        + "it is flushed, and the queues resume on the new one. Clients see a pause, never an error. "
        + "Runtime state: a reload that changes the disk, or a restart, opens the image of the config file.")
public final class DiskUpgradeCommand extends ApiCommand
{
    @Mixin
    DiskName disk;

    @Option(names = "--backend", paramLabel = "PATH|URI",
        description = "An existing raw image holding the disk's data (in daemon.imageDirs) or nbd://host[:port]/export "
            + "(in daemon.remoteBackends), of the disk's size. Default: reopen the image the disk has.")
    String backend;

    @Override
    protected String run(final ManagementClient client) throws JacksonException
    {
        final Map<String, Object> request = fields("name", disk.name);
        putIfSet(request, "backend", backend);
        return post(client, "/disk/upgrade", request, body ->
        {
            final JsonNode answer = mapper.readTree(body);
            return "upgraded " + disk.name + " to " + answer.path("image").asText() + " (paused " + answer.path("pausedUs").asLong() +
                " us, " + answer.path("requeued").asLong() + " pending requests requeued)\n";
        });
    }
}
