package io.vplane.blockstore.management;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vplane.blockstore.config.NbdConfig;
import io.vplane.blockstore.config.NbdDiskConfig;
import io.vplane.blockstore.config.NbdSection;
import io.vplane.blockstore.config.NbdTenantConfig;
import io.vplane.blockstore.backend.NbdClientBackend;
import io.vplane.blockstore.backend.StorageBackend;
import io.vplane.blockstore.convert.ConvertSettings;
import io.vplane.blockstore.device.DiskConversion;
import io.vplane.blockstore.device.DiskDevice;
import io.vplane.blockstore.image.ImageOpener;
import io.vplane.blockstore.device.DiskSettings;
import io.vplane.blockstore.qos.DiskQos;
import io.vplane.blockstore.device.NbdDeviceProvider;
import io.vplane.blockstore.rbd.RbdImageUri;
import io.vplane.config.ConfigError;
import io.vplane.config.ConfigException;
import io.vplane.config.ConfigLoader;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.confine.ConfinedDirectory;
import io.vplane.engine.device.Device;
import io.vplane.engine.management.ManagementApi;
import io.vplane.engine.management.ManagementExtension;
import io.vplane.engine.management.ManagementRequest;
import io.vplane.engine.management.StatusView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Management API routes of the NBD disks, under {@code /disk} (what {@code vplane ctl disk} uses):
 * <pre>
 * GET  /disk/list                                           every disk, with its open connections
 * GET  /disk/show?name=NAME                                 one disk, with its backend's state (rbd: connection, features, errors)
 * POST /disk/create {"name","size"[,"image","tenant","queues","readOnly","description","minBlock"]}
 * POST /disk/resize {"name","size"[,"force"]}
 * POST /disk/delete {"name"[,"deleteImage"]}
 * POST /disk/qos {"name"[,"level","readIops","writeIops","readBytesPerSec","writeBytesPerSec","burstMs",
 *                 "reservationIops","reservationBytesPerSec","weight"]}    fields left out keep their value
 * POST /disk/upgrade {"name"[,"backend"]}     swap the backend under I/O; no backend: reopen the same image
 * POST /disk/convert {"name","from"[,"to","rateBytesPerSec","chunkBytes"]}   start or resume an online conversion
 * POST /disk/convert/cancel {"name"}          pause it (the disk keeps serving; convert again resumes)
 * GET  /disk/convert/status?name=NAME         its progress: bytes done/total, rate, time left
 * </pre>
 * A created disk is checked by the same rules as an {@code nbd.disks} entry of the config file,
 * opened and bound like one, and served at once. It is runtime state: kept across reloads, gone
 * after a restart (the config file is the source of truth).
 */
public final class DiskManagement implements ManagementExtension
{
    private static final Logger LOG = LoggerFactory.getLogger(DiskManagement.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CREATE_FIELDS =
        Set.of("name", "size", "image", "tenant", "queues", "readOnly", "description", "minBlock");
    private static final Set<String> RESIZE_FIELDS = Set.of("name", "size", "force");
    private static final Set<String> DELETE_FIELDS = Set.of("name", "deleteImage");
    private static final Set<String> UPGRADE_FIELDS = Set.of("name", "backend");
    private static final Set<String> CONVERT_FIELDS = Set.of("name", "from", "to", "rateBytesPerSec", "chunkBytes");
    /** The routes that change something: POST only. */
    private static final Set<String> CHANGING_ROUTES = Set.of(
        "/disk/create", "/disk/resize", "/disk/delete", "/disk/qos", "/disk/upgrade", "/disk/convert", "/disk/convert/cancel");

    @Override
    public String prefix()
    {
        return "/disk";
    }

    @Override
    public Object handle(final ManagementRequest request)
    {
        final ManagementApi api = request.api();
        final Map<String, Object> body = request.body();
        final String path = request.path();
        if (CHANGING_ROUTES.contains(path))
        {
            request.requirePost();
        }
        return switch (path)
        {
            case "/disk", "/disk/list" -> list(api);
            case "/disk/show" -> show(api, request.parameter("name"));
            case "/disk/create" -> create(api, only(CREATE_FIELDS, body));
            case "/disk/resize" -> resize(api, only(RESIZE_FIELDS, body));
            case "/disk/delete" -> delete(api, only(DELETE_FIELDS, body));
            case "/disk/qos" -> qos(api, body);
            case "/disk/upgrade" -> upgrade(api, only(UPGRADE_FIELDS, body));
            case "/disk/convert" -> convert(api, only(CONVERT_FIELDS, body));
            case "/disk/convert/cancel" -> DiskConversion.cancel(disk(api, string(only(Set.of("name"), body), "name")));
            case "/disk/convert/status" -> DiskConversion.status(disk(api, required(request.parameter("name"))));
            default -> throw new NoSuchElementException("no such resource: " + path +
                " (disks have GET /disk/list, GET /disk/show?name=NAME, POST /disk/create, POST /disk/resize, " +
                "POST /disk/delete, POST /disk/qos, POST /disk/upgrade, POST /disk/convert, POST /disk/convert/cancel, " +
                "GET /disk/convert/status?name=NAME)");
        };
    }

    private static List<Map<String, Object>> list(final ManagementApi api)
    {
        final List<Map<String, Object>> disks = new ArrayList<>();
        for (final StatusView.DeviceView device : api.devices())
        {
            if (NbdDeviceProvider.KIND.equals(device.kind()) && api.device(device.name()) instanceof final DiskDevice disk)
            {
                disks.add(view(disk));
            }
        }
        return disks;
    }

    private static Map<String, Object> show(final ManagementApi api, final String name)
    {
        if (null == name || name.isBlank())
        {
            throw new IllegalArgumentException("missing query parameter 'name'");
        }
        final DiskDevice device = disk(api, name);
        final Map<String, Object> view = view(device);
        final Map<String, Object> backend = device.backendView();
        if (!backend.isEmpty())
        {
            view.put("backend", backend);
        }
        return view;
    }

    private static Map<String, Object> create(final ManagementApi api, final Map<String, Object> body)
    {
        final VplaneConfig running = api.config();
        final String name = string(body, "name");
        final Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", name);
        entry.put("image", null == body.get("image") ? name + ".img" : string(body, "image"));
        entry.put("sizeBytes", ByteSize.parse("size", body.get("size")));
        entry.put("tenant", null == body.get("tenant") ? onlyTenant(running) : string(body, "tenant"));
        copy(body, "queues", entry, "queues");
        copy(body, "readOnly", entry, "readOnly");
        copy(body, "description", entry, "description");
        if (null != body.get("minBlock"))
        {
            entry.put("minBlockBytes", ByteSize.parse("minBlock", body.get("minBlock")));
        }
        final NbdDiskConfig disk = validate(running, entry);
        final StatusView.DeviceView added;
        try
        {
            added = api.addDevice(NbdDeviceProvider.spec(disk, running));
        }
        catch (final UncheckedIOException ex)
        {
            throw new IllegalArgumentException(ex.getMessage() + ": " + ex.getCause().getMessage(), ex);
        }
        LOG.info("disk {} created: {} bytes, image {}, tenant {}, {} queues", name, disk.sizeBytes(), disk.image(), disk.tenant(),
            added.queues());
        return view(disk(api, name));
    }

    private static Map<String, Object> resize(final ManagementApi api, final Map<String, Object> body)
    {
        final DiskDevice device = disk(api, string(body, "name"));
        final long size = ByteSize.parse("size", body.get("size"));
        final int minBlock = device.settings().disk().minBlockBytes();
        if (size % 512 != 0 || size % minBlock != 0)
        {
            throw new IllegalArgumentException("size " + size + " must be a multiple of 512 and of the disk's minBlockBytes " +
                minBlock);
        }
        final long before = device.resize(size, bool(body, "force"));
        final Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("name", device.name());
        answer.put("oldSizeBytes", before);
        answer.put("sizeBytes", size);
        answer.put("openConnections", device.disk().connections());
        return answer;
    }

    private static Map<String, Object> delete(final ManagementApi api, final Map<String, Object> body)
    {
        final DiskDevice device = disk(api, string(body, "name"));
        final boolean deleteImage = bool(body, "deleteImage");
        api.removeDevice(device.name());
        boolean deleted = false;
        if (deleteImage && device.hasImageFile())
        {
            try
            {
                // Checked again at deletion, beneath the directory's descriptor: only a regular file still inside goes.
                final ConfinedDirectory images = ConfinedDirectory.images(api.config());
                deleted = images.deleteRegularFile(images.resolve(device.settings().image().toString()));
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("disk " + device.name() + " was removed, but its image " +
                    device.settings().image() + " could not be deleted: " + ex.getMessage(), ex);
            }
        }
        LOG.info("disk {} deleted; image {} {}", device.name(), device.settings().image(), deleted ? "deleted" : "kept");
        final Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("name", device.name());
        answer.put("closedConnections", device.drainedConnections());
        answer.put("image", image(device));
        answer.put("imageDeleted", deleted);
        return answer;
    }

    /**
     * Swaps a disk's backend while its clients keep their I/O in flight: to another image, a remote
     * NBD server, or (no backend given) the same image opened again. The new image must exist and
     * have the disk's size; it is checked like an image of the config file (image directories,
     * daemon.remoteBackends).
     */
    private static Map<String, Object> upgrade(final ManagementApi api, final Map<String, Object> body)
    {
        final DiskDevice device = disk(api, string(body, "name"));
        final DiskSettings current = device.settings();
        final String image = null == body.get("backend") ? current.disk().image() : string(body, "backend");
        final DiskSettings next = (DiskSettings)NbdDeviceProvider.spec(current.disk().withImage(image), api.config()).settings();
        if (!NbdClientBackend.isUri(image) && !RbdImageUri.isUri(image) && !Files.isRegularFile(next.image(), LinkOption.NOFOLLOW_LINKS))
        {
            throw new IllegalArgumentException("no image file " + next.image() + "; an upgrade takes an existing image " +
                "holding the disk's data (copy it there first), nbd://host[:port]/export or rbd://pool/image");
        }
        final StorageBackend backend;
        try
        {
            backend = NbdDeviceProvider.openBackend(device.name(), next, device.errors());
        }
        catch (final UncheckedIOException ex)
        {
            throw new IllegalArgumentException(ex.getMessage() + ": " + ex.getCause().getMessage(), ex);
        }
        final DiskDevice.Upgrade done = device.upgrade(next, backend);
        final Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("name", device.name());
        answer.put("image", image(device));
        answer.put("pausedUs", done.pausedUs());
        answer.put("requeued", done.requeued());
        return answer;
    }

    /**
     * Converts a disk online from a qcow2 or raw image to a raw image or an rbd:// image ("to";
     * default: the disk's own image, "raw:" prefix optional). The target is checked like an image of
     * the config file (image directories; rbd conf confinement).
     */
    private static Map<String, Object> convert(final ManagementApi api, final Map<String, Object> body)
    {
        final DiskDevice device = disk(api, string(body, "name"));
        final DiskSettings current = device.settings();
        final String to = null == body.get("to") ? current.disk().image() : string(body, "to");
        final String image = to.startsWith(ImageOpener.RAW_PREFIX) ? to.substring(ImageOpener.RAW_PREFIX.length()) : to;
        if (NbdClientBackend.isUri(image) || ImageOpener.isQcow2(image))
        {
            throw new IllegalArgumentException("target " + to + ": a conversion writes a raw image (raw:PATH) or an rbd://pool/image");
        }
        final DiskSettings target = (DiskSettings)NbdDeviceProvider.spec(current.disk().withImage(image), api.config()).settings();
        final ConvertSettings defaults = api.config().section(NbdConfig.class).convert();
        final long rate = null == body.get("rateBytesPerSec") ? defaults.rateBytesPerSec() :
            "0".equals(String.valueOf(body.get("rateBytesPerSec")).strip()) ? 0 : ByteSize.parse("rateBytesPerSec", body.get("rateBytesPerSec"));
        final long chunk = null == body.get("chunkBytes") ? defaults.chunkBytes() : ByteSize.parse("chunkBytes", body.get("chunkBytes"));
        if (chunk < ConvertSettings.MIN_CHUNK_BYTES || chunk > ConvertSettings.MAX_CHUNK_BYTES || (chunk & (chunk - 1)) != 0)
        {
            throw new IllegalArgumentException("chunkBytes " + chunk + " must be a power of two from 4 KiB to 64 MiB");
        }
        try
        {
            return DiskConversion.start(device, string(body, "from"), target, rate, (int)chunk);
        }
        catch (final UncheckedIOException ex)
        {
            throw new IllegalArgumentException(ex.getMessage() + ": " + ex.getCause().getMessage(), ex);
        }
    }

    private static String required(final String name)
    {
        if (null == name || name.isBlank())
        {
            throw new IllegalArgumentException("missing query parameter 'name'");
        }
        return name;
    }

    /**
     * Changes a disk's QoS live. The fields given replace the disk's values, the others stay; the
     * result is checked by the config file's rules for {@code nbd.disks[].qos}.
     */
    private static Map<String, Object> qos(final ManagementApi api, final Map<String, Object> body)
    {
        final DiskDevice device = disk(api, string(body, "name"));
        final Map<String, Object> current = qosView(device.qos());
        // A level replaces the disk's values with the level's; fields given go on top of either.
        final Map<String, Object> qos = body.containsKey("level") ? new LinkedHashMap<>() : current;
        for (final Map.Entry<String, Object> field : body.entrySet())
        {
            if (!"name".equals(field.getKey()))
            {
                if (!current.containsKey(field.getKey()) && !"level".equals(field.getKey()))
                {
                    throw new IllegalArgumentException("unknown field '" + field.getKey() + "'; known: name, level and " +
                        current.keySet().stream().sorted().toList());
                }
                // Rates in bytes may be given as sizes: "100M" is 100 MiB per second.
                qos.put(field.getKey(), field.getKey().endsWith("BytesPerSec") && field.getValue() instanceof final String text &&
                    !"0".equals(text.strip()) ? ByteSize.parse(field.getKey(), text) : field.getValue());
            }
        }
        final NbdDiskConfig disk = device.settings().disk();
        final Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", disk.name());
        entry.put("image", disk.image());
        entry.put("sizeBytes", disk.sizeBytes());
        entry.put("tenant", disk.tenant());
        entry.put("qos", qos);
        if (!body.keySet().equals(Set.of("name")))
        {
            device.qos(validate(api.config(), entry).qos());
        }
        return qosAnswer(device);
    }

    private static Map<String, Object> qosAnswer(final DiskDevice device)
    {
        final Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("name", device.name());
        answer.put("qos", qosView(device.qos()));
        answer.put("capacityIops", device.scheduling().capacityIops());
        answer.put("capacityBytesPerSec", device.scheduling().capacityBytesPerSec());
        answer.put("admitted", device.flow().admitted());
        answer.put("delayed", device.flow().delayed());
        answer.put("waitedUs", device.flow().waitedUs());
        return answer;
    }

    private static List<Map<String, Object>> levelsView(final Map<String, DiskQos> levels)
    {
        final List<Map<String, Object>> view = new ArrayList<>(levels.size());
        levels.forEach((name, qos) ->
        {
            final Map<String, Object> level = new LinkedHashMap<>();
            level.put("name", name);
            level.putAll(qosView(qos));
            view.add(level);
        });
        return view;
    }

    private static Map<String, Object> qosView(final DiskQos qos)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("readIops", qos.readIops());
        view.put("writeIops", qos.writeIops());
        view.put("readBytesPerSec", qos.readBytesPerSec());
        view.put("writeBytesPerSec", qos.writeBytesPerSec());
        view.put("burstMs", qos.burstMs());
        view.put("reservationIops", qos.reservationIops());
        view.put("reservationBytesPerSec", qos.reservationBytesPerSec());
        view.put("weight", qos.weight());
        return view;
    }

    /** Checks the entry with the config file's own rules for {@code nbd.disks}, against the running tenants. */
    private static NbdDiskConfig validate(final VplaneConfig running, final Map<String, Object> entry)
    {
        final Map<String, Object> nbd = new LinkedHashMap<>();
        nbd.put("tls", running.section(NbdConfig.class).tls());
        nbd.put("tenants", running.section(NbdConfig.class).tenants());
        nbd.put("qos", Map.of("levels", levelsView(running.section(NbdConfig.class).qosLevels())));
        nbd.put("disks", List.of(entry));
        final VplaneConfig holder;
        try
        {
            // JSON is YAML: the same binder as the file's nbd section.
            holder = ConfigLoader.parse(JSON.writeValueAsString(Map.of(NbdSection.KEY, nbd)), "request", List.of(new NbdSection()));
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalArgumentException("bad request: " + ex.getOriginalMessage(), ex);
        }
        catch (final ConfigException ex)
        {
            throw new IllegalArgumentException("disk " + entry.get("name") + ": " +
                ex.errors().stream().map(ConfigError::message).collect(Collectors.joining("; ")), ex);
        }
        return holder.section(NbdConfig.class).disks().getFirst();
    }

    private static String onlyTenant(final VplaneConfig running)
    {
        final List<NbdTenantConfig> tenants = running.section(NbdConfig.class).tenants();
        if (tenants.size() != 1)
        {
            throw new IllegalArgumentException("missing tenant; declared tenants: " +
                tenants.stream().map(NbdTenantConfig::name).toList());
        }
        return tenants.getFirst().name();
    }

    private static DiskDevice disk(final ManagementApi api, final String name)
    {
        final boolean isDisk = api.devices().stream()
            .anyMatch(device -> device.name().equals(name) && NbdDeviceProvider.KIND.equals(device.kind()));
        final Device device = isDisk ? api.device(name) : null;
        if (!(device instanceof final DiskDevice disk))
        {
            throw new NoSuchElementException("no disk named '" + name + "'; disks: " +
                list(api).stream().map(view -> view.get("name")).toList());
        }
        return disk;
    }

    private static Map<String, Object> view(final DiskDevice device)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", device.name());
        view.put("sizeBytes", device.disk().sizeBytes());
        view.put("image", image(device));
        view.put("tenant", device.disk().tenant().name());
        view.put("queues", device.queues().size());
        view.put("readOnly", device.disk().readOnly());
        view.put("description", device.disk().description());
        view.put("minBlockBytes", device.disk().minBlockBytes());
        view.put("connections", device.disk().connections());
        return view;
    }

    private static String image(final DiskDevice device)
    {
        return device.hasImageFile() ? device.settings().image().toString() : device.settings().disk().image();
    }

    private static Map<String, Object> only(final Set<String> fields, final Map<String, Object> body)
    {
        for (final String key : body.keySet())
        {
            if (!fields.contains(key))
            {
                throw new IllegalArgumentException("unknown field '" + key + "'; known: " + fields.stream().sorted().toList());
            }
        }
        return body;
    }

    private static String string(final Map<String, Object> body, final String field)
    {
        if (!(body.get(field) instanceof final String text) || text.isBlank())
        {
            throw new IllegalArgumentException("missing string field '" + field + "'");
        }
        return text;
    }

    private static boolean bool(final Map<String, Object> body, final String field)
    {
        final Object value = body.get(field);
        if (null != value && !(value instanceof Boolean))
        {
            throw new IllegalArgumentException("'" + field + "' must be true or false, got " + value);
        }
        return Boolean.TRUE.equals(value);
    }

    private static void copy(final Map<String, Object> body, final String field, final Map<String, Object> entry, final String key)
    {
        if (null != body.get(field))
        {
            entry.put(key, body.get(field));
        }
    }
}
