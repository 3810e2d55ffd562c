package io.vplane.nic.port;

import io.vplane.config.ConfigDefaults;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.device.DeviceContext;
import io.vplane.engine.device.DeviceSpec;
import io.vplane.engine.errors.ErrorLog;
import io.vplane.virtio.vhostuser.TestFrontend;
import io.vplane.virtio.vhostuser.VhostUserSession;
import io.vplane.nic.vswitch.VswitchRegistry;
import org.junit.jupiter.api.AfterEach;

import java.util.Locale;

/**
 * What the single-threaded tests of one vhost-user port share: port {@code p0}, a session on it
 * driven by a {@link TestFrontend}, the guest side of its rings, and its counters; all closed after
 * each test.
 */
abstract class PortSessionTest
{
    final Counters counters = Counters.inMemory(512);
    final ErrorLog errors = new ErrorLog(counters);
    final TestFrontend frontend = new TestFrontend();
    final GuestDriver guest = new GuestDriver(frontend);
    VhostUserPort port;
    VhostUserSession session;

    /** Opens {@code p0} with these settings and a session on it, which the test then starts up. */
    void openPort(final String guestTx, final String guestRx, final int frameBytes)
    {
        final VhostUserPortConfig settings = new VhostUserPortConfig("p0", "/nonexistent/p0.sock", VhostUserPortConfig.Mode.SERVER, 1,
            "52:54:00:12:34:56", VhostUserPortConfig.GuestTx.valueOf(guestTx.toUpperCase(Locale.ROOT)),
            VhostUserPortConfig.GuestRx.valueOf(guestRx.toUpperCase(Locale.ROOT)), frameBytes, VhostUserSection.VSWITCH);
        port = new VhostUserPort(new DeviceSpec("vhostUser", "p0", "net", settings), settings,
            new DeviceContext(ConfigDefaults.pool("net"), counters, errors), new VswitchRegistry());
        newSession();
    }

    /** A new session on the port, as a frontend connecting (again) gets. */
    void newSession()
    {
        session = new VhostUserSession("test", port, errors, counters.counter("vplane_test_protocol_errors_total"));
    }

    /** The counter with exactly this label, 0 when there is none. */
    long value(final String label)
    {
        return counters.value(label);
    }

    @AfterEach
    void closePort()
    {
        if (null != session)
        {
            session.close();
        }
        if (null != port)
        {
            port.close();
        }
        frontend.close();
    }
}
