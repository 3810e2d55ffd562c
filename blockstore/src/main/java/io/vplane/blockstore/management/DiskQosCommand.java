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
 * {@code vplane ctl disk qos --name NAME [settings]}: shows a disk's QoS and its scheduling
 * counters, and changes the settings given (the others stay) at once, through POST /disk/qos.
 */
@Command(name = "qos", mixinStandardHelpOptions = true,
    description = "Show or change a disk's QoS live: a level, limits (0: none), burst, reservation, weight. "
        + "Settings left out keep their value (with --level: take the level's). Rates in bytes take sizes (100M = 100 MiB/s).")
public final class DiskQosCommand extends ApiCommand
{
    @Mixin
    DiskName disk;

    @Option(names = "--level", paramLabel = "LEVEL",
        description = "Start from this level of nbd.qos.levels (the other settings given go on top; those left out take the level's).")
    String level;

    @Option(names = "--read-iops", paramLabel = "N", description = "Ceiling on read operations per second.")
    Long readIops;

    @Option(names = "--write-iops", paramLabel = "N", description = "Ceiling on write operations per second.")
    Long writeIops;

    @Option(names = "--read-bps", paramLabel = "RATE", description = "Ceiling on bytes read per second, e.g. 200M.")
    String readBytesPerSec;

    @Option(names = "--write-bps", paramLabel = "RATE", description = "Ceiling on bytes written per second, e.g. 100M.")
    String writeBytesPerSec;

    @Option(names = "--burst-ms", paramLabel = "MS", description = "Unused allowance kept, in milliseconds of each limit.")
    Long burstMs;

    @Option(names = "--reservation-iops", paramLabel = "N", description = "Operations per second always granted when asked for.")
    Long reservationIops;

    @Option(names = "--reservation-bps", paramLabel = "RATE", description = "Bytes per second always granted when asked for.")
    String reservationBytesPerSec;

    @Option(names = "--weight", paramLabel = "W", description = "Share of the capacity left after reservations, 1..10000.")
    Integer weight;

    @Override
    protected String run(final ManagementClient client) throws JacksonException
    {
        final Map<String, Object> request = fields("name", disk.name);
        putIfSet(request, "level", level, "readIops", readIops, "writeIops", writeIops, "readBytesPerSec", readBytesPerSec,
            "writeBytesPerSec", writeBytesPerSec, "burstMs", burstMs, "reservationIops", reservationIops,
            "reservationBytesPerSec", reservationBytesPerSec, "weight", weight);
        return post(client, "/disk/qos", request, body -> text(mapper.readTree(body)));
    }

    static String text(final JsonNode answer)
    {
        final JsonNode qos = answer.path("qos");
        final StringBuilder text = new StringBuilder(answer.path("name").asText()).append('\n');
        qos.properties().forEach(field -> text.append(String.format("  %-24s %s%n", field.getKey(), field.getValue().asText())));
        text.append(String.format("  %-24s %d%n  %-24s %d%n", "capacityIops (storage)", answer.path("capacityIops").asLong(),
            "capacityBytesPerSec", answer.path("capacityBytesPerSec").asLong()));
        text.append(String.format("  %-24s %d%n  %-24s %d%n  %-24s %d%n", "admitted", answer.path("admitted").asLong(),
            "delayed", answer.path("delayed").asLong(), "waitedUs", answer.path("waitedUs").asLong()));
        return text.toString();
    }
}
