package io.vplane.blockstore.management;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vplane.engine.cli.ApiCommand;
import io.vplane.engine.cli.CommandGroup;
import io.vplane.engine.management.ManagementClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code vplane ctl disk list|show|create|resize|delete|qos|upgrade|convert}: NBD disks, changed while the daemon runs,
 * through the blockstore's {@code /disk} routes. Sizes are bytes or a number with K, M, G, T or P
 * (powers of 1024); the daemon parses and validates them.
 */
@Command(name = "disk", mixinStandardHelpOptions = true,
    description = "List, show, create, resize or delete NBD disks, change their QoS, upgrade their backend or convert their image online while the daemon runs.",
    subcommands = {DiskCommand.ListDisks.class, DiskCommand.Show.class, DiskCommand.Create.class, DiskCommand.Resize.class,
        DiskCommand.Delete.class, DiskQosCommand.class, DiskUpgradeCommand.class, DiskConvertCommand.class})
public final class DiskCommand extends CommandGroup
{
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    /** One line per disk, under a header. */
    static String table(final JsonNode disks)
    {
        if (disks.isEmpty())
        {
            return "(no disks)\n";
        }
        final String format = "%-16s %12s %-10s %-8s %6s %-3s %5s %s%n";
        final StringBuilder text = new StringBuilder(
            String.format(format, "NAME", "SIZE", "", "TENANT", "QUEUES", "RO", "CONNS", "IMAGE"));
        for (final JsonNode disk : disks)
        {
            final long size = disk.path("sizeBytes").asLong();
            text.append(String.format(format, disk.path("name").asText(), size, "(" + human(size) + ")",
                disk.path("tenant").asText(), disk.path("queues").asInt(), disk.path("readOnly").asBoolean() ? "yes" : "no",
                disk.path("connections").asInt(), disk.path("image").asText()));
        }
        return text.toString();
    }

    /** 10737418240 → 10 GiB; 1536 → 1.5 KiB. */
    static String human(final long bytes)
    {
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < UNITS.length - 1)
        {
            value /= 1024;
            unit++;
        }
        return (value == Math.rint(value) ? String.valueOf((long)value) : String.format("%.1f", value)) + " " + UNITS[unit];
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "Every disk: name, size, tenant, queues, read-only, open connections, image or backend.")
    public static final class ListDisks extends ApiCommand
    {
        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            return get(client, "/disk/list", body -> table(mapper.readTree(body)));
        }
    }

    /** One disk, a field a line; the backend's fields (an rbd disk's connection state, features, errors) indented below. */
    static String details(final JsonNode disk)
    {
        final StringBuilder text = new StringBuilder();
        appendFields(text, disk, "");
        return text.toString();
    }

    private static void appendFields(final StringBuilder text, final JsonNode node, final String indent)
    {
        node.properties().forEach(field ->
        {
            final JsonNode value = field.getValue();
            if (value.isObject())
            {
                text.append(indent).append(field.getKey()).append(":\n");
                appendFields(text, value, indent + "  ");
            }
            else
            {
                final String shown = value.isArray() ? String.join(",", value.valueStream().map(JsonNode::asText).toList()) :
                    value.asText();
                text.append(String.format("%s%-18s %s%n", indent, field.getKey() + ":", shown));
            }
        });
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
        description = "One disk: its settings, open connections and what its backend reports (for rbd:// disks the "
            + "connection state, client address, image features, block status source and errors by cause).")
    public static final class Show extends ApiCommand
    {
        @Mixin
        DiskName disk;

        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            return get(client, "/disk/show?name=" + URLEncoder.encode(disk.name, StandardCharsets.UTF_8),
                body -> details(mapper.readTree(body)));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
        description = "Create a disk and serve it at once; options left out take the defaults of nbd.disks in vplane.yaml. "
            + "Runtime state like 'ctl port add': kept across reloads, gone after a restart unless written into the config file.")
    public static final class Create extends ApiCommand
    {
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Disk (export) name.")
        String name;

        @Option(names = "--size", required = true, paramLabel = "SIZE", description = "Size: bytes, or e.g. 512M, 10G.")
        String size;

        @Option(names = "--image", paramLabel = "PATH|URI",
            description = "Raw image (relative: in the first of daemon.imageDirs; created sparse when missing), nbd://host[:port]/export "
                + "to proxy to another NBD server, or rbd://pool[/namespace]/image[@snap][?conf=PATH&id=NAME&keyring=PATH&timeoutMs=N] "
                + "for a Ceph RBD image (default: NAME.img).")
        String image;

        @Option(names = "--tenant", paramLabel = "TENANT", description = "Owning tenant (default: the only tenant, if there is one).")
        String tenant;

        @Option(names = "--queues", paramLabel = "N", description = "blk queues of the disk, 1..64.")
        Integer queues;

        @Option(names = "--read-only", description = "Refuse writes, trims and zeroing (EPERM).")
        boolean readOnly;

        @Option(names = "--description", paramLabel = "TEXT", description = "Free text sent with NBD_INFO_DESCRIPTION and LIST.")
        String description;

        @Option(names = "--min-block", paramLabel = "BYTES", description = "Smallest I/O unit, a power of two 1..64K.")
        String minBlock;

        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            final Map<String, Object> request = fields("name", name, "size", size, "readOnly", readOnly);
            putIfSet(request, "image", image, "tenant", tenant, "queues", queues, "description", description,
                "minBlock", minBlock);
            return post(client, "/disk/create", request, body -> "created\n" + table(mapper.createArrayNode().add(mapper.readTree(body))));
        }
    }

    @Command(name = "resize", mixinStandardHelpOptions = true,
        description = "Grow or shrink a disk's image. Open connections keep the size they negotiated; new ones see the new size. "
            + "Shrinking a disk with open connections needs --force.")
    public static final class Resize extends ApiCommand
    {
        @Mixin
        DiskName disk;

        @Option(names = "--size", required = true, paramLabel = "SIZE", description = "New size: bytes, or e.g. 512M, 10G.")
        String size;

        @Option(names = "--force", description = "Shrink even though clients are connected (their requests past the new end fail).")
        boolean force;

        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            return post(client, "/disk/resize", fields("name", disk.name, "size", size, "force", force), body ->
            {
                final JsonNode answer = mapper.readTree(body);
                return "resized " + disk.name + ": " + answer.path("oldSizeBytes").asLong() + " -> " + answer.path("sizeBytes").asLong() +
                    " bytes (" + human(answer.path("sizeBytes").asLong()) + ")\n";
            });
        }
    }

    @Command(name = "delete", aliases = "del", mixinStandardHelpOptions = true,
        description = "Stop new connections, finish the requests in flight, flush, close the disk's connections and "
            + "remove it. The image file is kept unless --delete-image.")
    public static final class Delete extends ApiCommand
    {
        @Mixin
        DiskName disk;

        @Option(names = "--delete-image", description = "Also delete the image file.")
        boolean deleteImage;

        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            return post(client, "/disk/delete", fields("name", disk.name, "deleteImage", deleteImage), body ->
            {
                final JsonNode answer = mapper.readTree(body);
                return "deleted " + disk.name + " (" + answer.path("closedConnections").asInt() + " connections closed; image " +
                    answer.path("image").asText() + (answer.path("imageDeleted").asBoolean() ? " deleted" : " kept") + ")\n";
            });
        }
    }
}
