package io.vplane.blockstore.management;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vplane.engine.cli.ApiCommand;
import io.vplane.engine.management.ManagementClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code vplane ctl disk convert NAME --from qcow2:PATH [--to raw:PATH|rbd://…] [--rate R] [--wait]},
 * {@code --status}, {@code --cancel}: a disk's online conversion, through POST /disk/convert,
 * POST /disk/convert/cancel and GET /disk/convert/status.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = "Convert a disk online from a qcow2 (or raw) image to a raw image or an rbd:// image while clients use it: "
        + "reads come from the source until a chunk is copied, writes go to the target only, a background copier fills the "
        + "rest at a bounded rate, and when it is done the disk serves from the target alone. Crash-safe: the map of copied "
        + "chunks lies beside the target and a restart resumes. --cancel pauses (the disk keeps serving); running the "
        + "same convert command again resumes.")
public final class DiskConvertCommand extends ApiCommand
{
    private static final long POLL_MS = 100;
    private static final int BAR_WIDTH = 30;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Disk name (or --name).")
    String positionalName;

    @Option(names = "--name", paramLabel = "NAME", description = "Disk name.")
    String name;

    @Option(names = "--from", paramLabel = "qcow2:PATH|raw:PATH", description = "The source image, in daemon.imageDirs.")
    String from;

    @Option(names = "--to", paramLabel = "raw:PATH|rbd://POOL/IMAGE",
        description = "The target: a new raw file (or the disk's own image) in daemon.imageDirs, or an existing rbd image of the "
            + "disk's size. Default: the disk's own image.")
    String to;

    @Option(names = "--rate", paramLabel = "BYTES_PER_SEC",
        description = "Background copy rate, e.g. 200M (0: no limit). Default 128M.")
    String rate;

    @Option(names = "--chunk", paramLabel = "BYTES", description = "Chunk of the copy and of the map, a power of two from 4K to 64M. Default 1M.")
    String chunk;

    @Option(names = "--status", description = "Show the progress: bytes done and total, rate, time left.")
    boolean status;

    @Option(names = "--cancel", description = "Pause the copier; the disk keeps serving from source and target.")
    boolean cancel;

    @Option(names = "--wait", description = "Show a progress bar until the conversion is done, paused or failed.")
    boolean await;

    @Override
    protected String run(final ManagementClient client) throws JacksonException
    {
        final String disk = required("NAME or --name", null != name ? name : positionalName);
        if (cancel)
        {
            return post(client, "/disk/convert/cancel", fields("name", disk), body -> line(disk, mapper.readTree(body)));
        }
        if (!status)
        {
            final Map<String, Object> request = fields("name", disk, "from", required("--from", from));
            putIfSet(request, "to", to);
            putIfSet(request, "rateBytesPerSec", rate);
            putIfSet(request, "chunkBytes", chunk);
            final String started = client.post("/disk/convert", mapper.writeValueAsString(request));
            if (!await)
            {
                return show(started, body -> line(disk, mapper.readTree(body)));
            }
        }
        final String path = "/disk/convert/status?name=" + URLEncoder.encode(disk, StandardCharsets.UTF_8);
        if (!await)
        {
            return get(client, path, body -> line(disk, mapper.readTree(body)));
        }
        return waitForEnd(client, disk, path);
    }

    private String waitForEnd(final ManagementClient client, final String disk, final String path) throws JacksonException
    {
        final PrintWriter out = spec.commandLine().getOut();
        while (true)
        {
            final JsonNode progress = mapper.readTree(client.get(path));
            final String state = progress.path("state").asText();
            if (!"copying".equals(state) && !"switching".equals(state))
            {
                out.print(json ? "" : "\r");
                out.flush();
                return json ? raw(mapper.writeValueAsString(progress)) : line(disk, progress);
            }
            if (!json)
            {
                out.print("\r" + bar(progress));
                out.flush();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(POLL_MS));
        }
    }

    /** [##########          ] 52%  1.0 GiB of 2.0 GiB  118.2 MiB/s  9 s left */
    static String bar(final JsonNode progress)
    {
        final long done = progress.path("bytesDone").asLong();
        final long total = Math.max(1, progress.path("bytesTotal").asLong());
        final int filled = (int)(BAR_WIDTH * done / total);
        final long eta = progress.path("etaSeconds").asLong();
        return "[" + "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "] " + String.format("%3d%%", 100 * done / total) + "  " +
            DiskCommand.human(done) + " of " + DiskCommand.human(total) + "  " + DiskCommand.human(progress.path("rateBytesPerSec").asLong()) +
            "/s" + (eta >= 0 ? "  " + eta + " s left" : "") + "   ";
    }

    /** The state and the figures in one line; the error below when there is one. */
    static String line(final String disk, final JsonNode progress)
    {
        final String state = progress.path("state").asText();
        final StringBuilder text = new StringBuilder(disk + ": " + state + " " + progress.path("source").asText() + " -> " +
            progress.path("target").asText() + "  " + bar(progress).strip() + "  (" + progress.path("chunksWrittenByVm").asLong() +
            " chunks written by clients first)\n");
        if (progress.has("error"))
        {
            text.append("error: ").append(progress.path("error").asText()).append('\n');
        }
        return text.toString();
    }
}
