package io.vplane.nic.vswitch;

import io.vplane.config.ConfigDefaults;
import io.vplane.config.VplaneConfig;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceKinds;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.nic.frame.IpAddressKey;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class VswitchDeviceProviderTest
{
    private final VswitchRegistry switches = new VswitchRegistry();

    @Test
    void shouldDeclareNoSwitchWhenDisabled()
    {
        assertThat(new VswitchDeviceProvider(switches).declaredDevices(DeviceKinds.load().defaults())).isEmpty();
    }

    @Test
    void shouldOpenTheConfiguredSwitchWithItsTableAndRegisterIt()
    {
        final VplaneConfig config = DeviceKinds.load().parse("""
            vswitch:
              enabled: true
              name: sw9
              table:
                - {ip: 10.0.0.2, localMac: "02:00:00:00:00:02", globalMac: "02:ff:00:00:00:01", port: vm1}
            """, "c.yaml");
        final VswitchDeviceProvider provider = new VswitchDeviceProvider(switches);
        final DeviceSpec spec = provider.declaredDevices(config).get(0);
        final Counters counters = Counters.inMemory(256);

        try (VswitchDevice device = (VswitchDevice)provider.open(
            spec, new DeviceContext(ConfigDefaults.pool("net"), counters, new ErrorLog(counters))))
        {
            device.start();
            assertThat(spec.type()).isEqualTo("net");
            assertThat(device.queues()).hasSize(1);
            assertThat(switches.find("sw9")).isSameAs(device.stage());
            final long[] key = IpAddressKey.parse("10.0.0.2");
            assertThat(device.stage().table().snapshot().find(key[0], key[1])).isNotNegative();
            assertThat(device.queues().get(0).poll(32)).isZero();
        }
        assertThat(switches.find("sw9")).isNull();
    }
}
