package io.vplane.dist.beacon;

import com.fasterxml.jackson.core.JacksonException;
import io.vplane.config.ConfigSection;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.cli.ApiCommand;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceKind;
import io.vplane.engine.device.DeviceProvider;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.management.ManagementClient;
import io.vplane.engine.management.ManagementExtension;
import io.vplane.engine.management.ManagementRequest;
import io.vplane.engine.stat.StatColumn;
import io.vplane.engine.stat.StatSection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;

/**
 * The beacon kind, listed in this test source set's {@code META-INF/services}: devices from
 * {@code devices.beacon} on the {@code vsock} pool, {@code POST /beacon/ping}, {@code vplane ctl beacon}
 * and a "Beacons" table in {@code vplane stat}.
 */
public final class BeaconKind implements DeviceKind
{
    static final String KIND = "beacon";

    @Override
    public String name()
    {
        return KIND;
    }

    @Override
    public List<ConfigSection<?>> configSections()
    {
        return List.of(new BeaconSection());
    }

    @Override
    public List<DeviceProvider> deviceProviders()
    {
        return List.of(new DeviceProvider()
        {
            @Override
            public String kind()
            {
                return KIND;
            }

            @Override
            public List<DeviceSpec> declaredDevices(final VplaneConfig config)
            {
                return config.section(BeaconConfig.class).beacons().stream()
                    .map(beacon -> new DeviceSpec(KIND, beacon.name(), "vsock", beacon))
                    .toList();
            }

            @Override
            public Device open(final DeviceSpec spec, final DeviceContext context)
            {
                return new BeaconDevice(spec, context);
            }
        });
    }

    @Override
    public List<ManagementExtension> managementExtensions()
    {
        return List.of(new ManagementExtension()
        {
            @Override
            public String prefix()
            {
                return "/beacon";
            }

            @Override
            public Object handle(final ManagementRequest request)
            {
                request.requirePost();
                final String name = String.valueOf(request.body().get("name"));
                if (!(request.api().device(name) instanceof final BeaconDevice beacon))
                {
                    throw new IllegalArgumentException("'" + name + "' is no beacon");
                }
                return Map.of("name", name, "pings", beacon.ping());
            }
        });
    }

    @Override
    public List<Object> ctlCommands()
    {
        return List.of(new Ping());
    }

    @Override
    public List<StatSection> statSections()
    {
        return List.of(new StatSection("Beacons", List.of("device"), List.of(
            StatColumn.rate("pings/s", BeaconDevice.PINGS), StatColumn.value("pings", BeaconDevice.PINGS))));
    }

    /** {@code vplane ctl beacon --name NAME}: pings a beacon. */
    @Command(name = "beacon", mixinStandardHelpOptions = true, description = "Ping a beacon.")
    static final class Ping extends ApiCommand
    {
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "Beacon name.")
        String name;

        @Override
        protected String run(final ManagementClient client) throws JacksonException
        {
            return post(client, "/beacon/ping", fields("name", name),
                body -> name + " pinged " + mapper.readTree(body).path("pings").asLong() + " times\n");
        }
    }
}
