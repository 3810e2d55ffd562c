package io.vplane.nic.vswitch;

import io.vplane.engine.management.ManagementExtension;
import io.vplane.engine.management.ManagementRequest;
import io.vplane.nic.frame.IpAddressKey;
import io.vplane.nic.frame.MacAddress;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Management API routes of the switch, under {@code /vswitch} (what {@code vplane ctl vswitch} uses):
 * <pre>
 * GET  /vswitch/list[?switch=NAME]                                  the table entries and ports
 * POST /vswitch/add {"ip","localMac","globalMac","port"[,"switch"]}  adds or replaces an entry
 * POST /vswitch/del {"ip"[,"switch"]}                               removes an entry
 * </pre>
 * {@code switch} may be left out when one switch runs. A change takes effect at the next burst.
 */
public final class VswitchManagement implements ManagementExtension
{
    private final VswitchRegistry switches;

    /**
     * @param switches the running switches the routes act on
     */
    public VswitchManagement(final VswitchRegistry switches)
    {
        this.switches = switches;
    }
    @Override
    public String prefix()
    {
        return "/vswitch";
    }

    @Override
    public Object handle(final ManagementRequest request)
    {
        final Map<String, Object> body = request.body();
        final String name = null != body.get("switch") ? String.valueOf(body.get("switch")) : request.parameter("switch");
        final String path = request.path();
        return switch (path)
        {
            case "/vswitch", "/vswitch/list" -> list(stage(name));
            case "/vswitch/add" ->
            {
                request.requirePost();
                yield add(stage(name), body);
            }
            case "/vswitch/del" ->
            {
                request.requirePost();
                yield del(stage(name), body);
            }
            default -> throw new NoSuchElementException(
                "no such resource: " + path + " (vswitch has GET /vswitch/list, POST /vswitch/add, POST /vswitch/del)");
        };
    }

    private VswitchStage stage(final String name)
    {
        if (null != name)
        {
            final VswitchStage stage = switches.find(name);
            if (null == stage)
            {
                throw new NoSuchElementException("no switch named '" + name + "'; running: " + switches.names());
            }
            return stage;
        }
        final List<String> names = switches.names();
        if (names.size() != 1)
        {
            throw new NoSuchElementException(names.isEmpty() ? "no switch is running (vswitch.enabled is false)" :
                "several switches run; name one with 'switch': " + names);
        }
        return switches.find(names.getFirst());
    }

    private static Map<String, Object> list(final VswitchStage stage)
    {
        final List<Map<String, Object>> entries = new ArrayList<>();
        for (final TranslationEntry entry : stage.table().entries())
        {
            entries.add(view(entry));
        }
        final Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("switch", stage.settings().name());
        answer.put("ports", stage.ports());
        answer.put("entries", entries);
        return answer;
    }

    private static Map<String, Object> add(final VswitchStage stage, final Map<String, Object> body)
    {
        final TranslationEntry entry = TranslationEntry.of(
            field(body, "ip"), field(body, "localMac"), field(body, "globalMac"), field(body, "port"));
        final TranslationEntry previous = stage.table().put(entry);
        final Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("added", view(entry));
        answer.put("replaced", null == previous ? null : view(previous));
        return answer;
    }

    private static Map<String, Object> del(final VswitchStage stage, final Map<String, Object> body)
    {
        final long[] key = IpAddressKey.parse(field(body, "ip"));
        final TranslationEntry removed = stage.table().remove(key[0], key[1]);
        if (null == removed)
        {
            throw new NoSuchElementException("no entry for ip " + field(body, "ip"));
        }
        return Map.of("removed", view(removed));
    }

    private static String field(final Map<String, Object> body, final String name)
    {
        final Object value = body.get(name);
        if (!(value instanceof String text) || text.isBlank())
        {
            throw new IllegalArgumentException("missing string field '" + name + "'");
        }
        return text;
    }

    private static Map<String, Object> view(final TranslationEntry entry)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("ip", entry.ip());
        view.put("localMac", MacAddress.toString(entry.localMac()));
        view.put("globalMac", MacAddress.toString(entry.globalMac()));
        view.put("port", entry.port());
        return view;
    }
}
