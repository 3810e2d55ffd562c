package io.vplane.vsock.device;

import io.vplane.config.ConfigException;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.Device;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.engine.management.ManagementRequest;
import io.vplane.config.ConfigDefaults;
import io.vplane.vsock.control.AppliedJournal;
import io.vplane.vsock.control.ContainerAgent;
import io.vplane.vsock.control.InMemoryRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class ControlDeviceTest
{
    private static final String SECRET = "a-secret-of-vm0-0123456789";

    @TempDir
    Path dir;

    private VplaneConfig config(final String control)
    {
        return DeviceKinds.load().parse("""
            daemon: {stateDir: '%s', socketDir: '%s'}
            devices:
              vsock:
                - {name: vs0, socketPath: vs0.sock, udsPath: vs0.vsock}
            control:
            %s
            """.formatted(dir, dir, control.indent(2)), "control.yaml");
    }

    @Test
    void shouldCarryACtlRequestThroughTheJournalToTheAgentAndShowItsState() throws Exception
    {
        Files.writeString(dir.resolve("vm0.secret"), SECRET);
        Files.setPosixFilePermissions(dir.resolve("vm0.secret"), PosixFilePermissions.fromString("rw-------"));
        final InMemoryRuntime runtime = new InMemoryRuntime();
        try (ContainerAgent agent = new ContainerAgent(ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(dir.resolve("agent.sock"))), SECRET.getBytes(), runtime,
            new AppliedJournal(dir.resolve("agent.journal")), 4).start())
        {
            final VplaneConfig config = config("vms:\n  - {name: vm0, transport: unix, path: '" + dir.resolve("agent.sock") +
                "', secretFile: vm0.secret}");
            final ControlRegistry registry = new ControlRegistry();
            final ControlDeviceProvider provider = new ControlDeviceProvider(registry);
            final List<DeviceSpec> specs = provider.declaredDevices(config);
            assertThat(specs).extracting(DeviceSpec::name, DeviceSpec::type).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ControlDeviceProvider.NAME, "vsock"));
            final Counters counters = Counters.inMemory(64);
            try (Device device = provider.open(specs.getFirst(), new DeviceContext(ConfigDefaults.pool("vsock"), counters,
                new ErrorLog(counters))))
            {
                device.start();
                assertThat(device.queues()).as("no worker carries it").isEmpty();
                final ContainerManagement routes = new ContainerManagement(registry);
                final Object answer = routes.handle(new ManagementRequest(null, "POST", "/container/scale", Map.of(),
                    Map.of("vm", "vm0", "target", "web", "count", 3)));
                assertThat(answer).isInstanceOf(ContainerManagement.CommandView.class);
                final long deadline = System.nanoTime() + 10_000_000_000L;
                while (!runtime.applied().contains("scale web 3") && System.nanoTime() < deadline)
                {
                    Thread.sleep(10);
                }
                assertThat(runtime.applied()).containsExactly("scale web 3");
                ContainerManagement.StatusView status;
                do
                {
                    status = (ContainerManagement.StatusView)routes.handle(
                        new ManagementRequest(null, "GET", "/container/status", Map.of(), Map.of()));
                }
                while (!"applied".equals(status.commands().getFirst().state()) && System.nanoTime() < deadline);
                assertThat(status.commands()).extracting(ContainerManagement.CommandView::state).containsExactly("applied");
                assertThat(status.vms()).extracting(ContainerManagement.LinkView::connected).containsExactly(true);
                assertThatThrownBy(() -> routes.handle(new ManagementRequest(null, "POST", "/container/scale", Map.of(),
                    Map.of("vm", "vm9", "count", 1)))).isInstanceOf(java.util.NoSuchElementException.class);
            }
        }
    }

    @Test
    void shouldRefuseAVsockUserVmWhoseDeviceIsNotDeclared()
    {
        assertThatThrownBy(() -> config("vms:\n  - {name: vm0, transport: vsock-user, device: nope, port: 7000, secretFile: s}"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("no vsock device named 'nope'");
    }

    @Test
    void shouldResolveAVsockUserVmToItsDevicesHybridSocket()
    {
        final VplaneConfig config = config("vms:\n  - {name: vm0, transport: vsock-user, device: vs0, port: 7000, secretFile: s}");
        final ControlDeviceProvider.Settings settings =
            (ControlDeviceProvider.Settings)new ControlDeviceProvider(new ControlRegistry()).declaredDevices(config).getFirst().settings();
        assertThat(settings.vms().get("vm0").udsPath()).isEqualTo(dir.resolve("vs0.vsock"));
        assertThat(settings.journal()).isEqualTo(dir.resolve("control.journal"));
    }
}
