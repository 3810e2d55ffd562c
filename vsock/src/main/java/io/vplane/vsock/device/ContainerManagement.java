package io.vplane.vsock.device;

import io.vplane.engine.management.ManagementExtension;
import io.vplane.engine.management.ManagementRequest;
import io.vplane.vsock.control.AgentLink;
import io.vplane.vsock.control.CommandJournal;
import io.vplane.vsock.control.ControlFrame;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Management API routes of the control channel (what {@code vplane ctl container} uses):
 * <pre>
 * POST /container/scale   {"vm","target","count"}   containers of target in vm
 * POST /container/memory  {"vm","target","bytes"}   their memory limit
 * POST /container/storage {"vm","target","bytes"}   their storage size
 * GET  /container/status[?vm=NAME]                  every command and its state; each VM's link
 * </pre>
 * A POST answers once the command is journaled (it is then never lost), with its id and state.
 */
public final class ContainerManagement implements ManagementExtension
{
    private final ControlRegistry registry;

    public ContainerManagement(final ControlRegistry registry)
    {
        this.registry = registry;
    }

    /** A command as the API shows it. */
    public record CommandView(long id, String vm, String op, String target, long value, String state, String reason)
    {
        static CommandView of(final CommandJournal.Entry entry)
        {
            return new CommandView(entry.id(), entry.vm(), ControlFrame.opName(entry.op()), entry.target(), entry.value(),
                entry.state().name().toLowerCase(java.util.Locale.ROOT), entry.reason());
        }
    }

    /** A VM's link as the API shows it; {@code lastError}: why it last failed, empty once a command went through since. */
    public record LinkView(String vm, String transport, boolean connected, String lastError)
    {
    }

    /** The answer of {@code /container/status}. */
    public record StatusView(List<LinkView> vms, List<CommandView> commands)
    {
    }

    @Override
    public String prefix()
    {
        return "/container";
    }

    @Override
    public Object handle(final ManagementRequest request)
    {
        return switch (request.path())
        {
            case "/container", "/container/status" -> status(request.parameter("vm"));
            case "/container/scale" -> submit(request, ControlFrame.OP_SCALE, "count");
            case "/container/memory" -> submit(request, ControlFrame.OP_MEMORY, "bytes");
            case "/container/storage" -> submit(request, ControlFrame.OP_STORAGE, "bytes");
            default -> throw new NoSuchElementException("no such resource: " + request.path() +
                " (container has GET /container/status, POST /container/scale|memory|storage)");
        };
    }

    private StatusView status(final String vm)
    {
        final var service = registry.service();
        final List<LinkView> links = service.links().values().stream()
            .filter(link -> null == vm || link.vm().equals(vm))
            .map(link -> new LinkView(link.vm(), link.transport(), link.isConnected(), link.lastError()))
            .sorted(java.util.Comparator.comparing(LinkView::vm)).toList();
        final List<CommandView> commands = service.commands().stream()
            .filter(entry -> null == vm || entry.vm().equals(vm)).map(CommandView::of).toList();
        return new StatusView(links, commands);
    }

    private CommandView submit(final ManagementRequest request, final int op, final String valueKey)
    {
        request.requirePost();
        final Map<String, Object> body = request.body();
        final String vm = text(body, "vm");
        final String target = null == body.get("target") ? "default" : text(body, "target");
        if (!(body.get(valueKey) instanceof Number value))
        {
            throw new IllegalArgumentException("'" + valueKey + "' must be a number");
        }
        try
        {
            return CommandView.of(registry.service().submit(vm, op, target, value.longValue()));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("the command journal cannot be written: " + ex.getMessage(), ex);
        }
    }

    private static String text(final Map<String, Object> body, final String key)
    {
        if (!(body.get(key) instanceof String value) || value.isEmpty())
        {
            throw new IllegalArgumentException("'" + key + "' is required");
        }
        return value;
    }
}
