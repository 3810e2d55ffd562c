package io.vplane.nic.vswitch;

import io.vplane.engine.counters.Counters;
import io.vplane.engine.management.HttpReply;
import io.vplane.engine.management.ManagementRoutes;
import io.vplane.nic.frame.IpAddressKey;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class VswitchManagementTest
{
    private final VswitchRegistry switches = new VswitchRegistry();
    private final Counters counters = Counters.inMemory(256);
    private final VswitchStage stage = new VswitchStage(VswitchConfig.defaults("mgmt0"), counters, SystemNanoClock.INSTANCE);
    private final ManagementRoutes routes = new ManagementRoutes(null, counters.reader(), List.of(new VswitchManagement(switches)));

    @BeforeEach
    void setUp()
    {
        switches.register("mgmt0", stage);
    }

    @AfterEach
    void tearDown()
    {
        switches.unregister("mgmt0", stage);
        stage.close();
    }

    @Test
    void shouldAddListAndDeleteEntriesLive()
    {
        final HttpReply added = routes.handle("POST", "/vswitch/add",
            "{\"ip\":\"10.0.0.2\",\"localMac\":\"02:00:00:00:00:02\",\"globalMac\":\"02:ff:00:00:00:01\",\"port\":\"vm1\"}");
        assertThat(added.status()).isEqualTo(200);
        final long[] key = IpAddressKey.parse("10.0.0.2");
        assertThat(stage.table().snapshot().find(key[0], key[1])).isNotNegative();

        final HttpReply list = routes.handle("GET", "/vswitch/list?switch=mgmt0", "");
        assertThat(list.bodyText().replaceAll("\\s", "")).contains("\"ip\":\"10.0.0.2\"", "\"localMac\":\"02:00:00:00:00:02\"", "\"port\":\"vm1\"");

        assertThat(routes.handle("POST", "/vswitch/del", "{\"ip\":\"10.0.0.2\"}").status()).isEqualTo(200);
        assertThat(stage.table().snapshot().find(key[0], key[1])).isEqualTo(-1);
    }

    @Test
    void shouldRejectBadRequests()
    {
        assertThat(routes.handle("POST", "/vswitch/add", "{\"ip\":\"10.0.0.2\"}").status()).isEqualTo(400);
        assertThat(routes.handle("POST", "/vswitch/add",
            "{\"ip\":\"10.0.0.2\",\"localMac\":\"01:00:00:00:00:02\",\"globalMac\":\"02:ff:00:00:00:01\",\"port\":\"vm1\"}")
            .bodyText()).contains("unicast");
        assertThat(routes.handle("GET", "/vswitch/add", "").status()).isEqualTo(400);
        assertThat(routes.handle("POST", "/vswitch/del", "{\"ip\":\"10.0.0.99\"}").status()).isEqualTo(404);
        assertThat(routes.handle("GET", "/vswitch/list?switch=nope", "").status()).isEqualTo(404);
    }
}
