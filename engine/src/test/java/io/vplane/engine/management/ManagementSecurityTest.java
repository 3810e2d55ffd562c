package io.vplane.engine.management;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vplane.engine.counters.Counters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The management API tried as a local user, a web page and a network neighbour would try it. */
class ManagementSecurityTest
{
    private static final String PLACEMENT = "{\"type\":\"blk\",\"queuesPerWorker\":2}";

    private final FakeManagementApi api = new FakeManagementApi();
    private final Counters counters = Counters.inMemory(4);
    private final List<ManagementServer> servers = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stop()
    {
        servers.forEach(ManagementServer::close);
    }

    @Test
    void shouldListenOnAUnixSocketThatOnlyItsOwnerAndGroupMayOpen() throws Exception
    {
        final Path socket = dir.resolve("management.sock");
        final String url = start(new ManagementListener.UnixSocket(socket, "daemon"));

        assertThat(url).isEqualTo("unix:" + socket);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS))).isEqualTo("rw-rw----");
        assertThat(Files.getAttribute(socket, "unix:gid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(1);
        new ManagementClient(url).post("/placement", PLACEMENT);
        assertThat(api.changedQueuesPerWorker).isEqualTo(2);
        servers.getFirst().close();
        assertThat(socket).doesNotExist();
    }

    @Test
    void shouldRefuseATcpRequestWithoutTheRightTokenAndDoNothing() throws Exception
    {
        final String url = startTcp();

        final ManagementClientException none = catchThrowableOfType(ManagementClientException.class,
            () -> new ManagementClient(url).post("/placement", PLACEMENT));
        final ManagementClientException wrong = catchThrowableOfType(ManagementClientException.class,
            () -> new ManagementClient(url, BearerToken.readFrom(writeToken("not-the-token-at-all-0")), null).get("/metrics"));

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(api.changedType).isNull();
        new ManagementClient(url, TokenFiles.token(dir), null).post("/placement", PLACEMENT);
        assertThat(api.changedType).isEqualTo("blk");
    }

    @Test
    void shouldRefuseATokenFileOthersCanRead() throws Exception
    {
        final Path file = TokenFiles.write(dir);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> BearerToken.readFrom(file)).hasMessageContaining("chmod 600");
    }

    @Test
    void shouldRefuseARequestWhoseHostIsAnotherName() throws Exception
    {
        // A page at rebind.example whose name now resolves to 127.0.0.1 sends its own name as Host.
        final String url = start(new ManagementListener.UnixSocket(dir.resolve("m.sock"), ""));
        final String tcp = startTcp();
        final String port = tcp.substring(tcp.lastIndexOf(':') + 1);

        assertThat(RawHttp.status(url, post("rebind.example", null, "application/json"))).isEqualTo(403);
        assertThat(RawHttp.status(tcp, post("rebind.example:" + port, null, "application/json"))).isEqualTo(403);
        assertThat(RawHttp.status(tcp, post("127.0.0.1:1", null, "application/json"))).isEqualTo(403);
        assertThat(api.changedType).isNull();
        assertThat(RawHttp.status(tcp, post("localhost:" + port, null, "application/json"))).isEqualTo(200);
        assertThat(RawHttp.status(url, post("localhost", null, "application/json"))).isEqualTo(200);
    }

    @Test
    void shouldRefuseARequestFromAForeignOrigin() throws Exception
    {
        final String url = start(new ManagementListener.UnixSocket(dir.resolve("m.sock"), ""));

        assertThat(RawHttp.status(url, post("localhost", "https://evil.example", "application/json"))).isEqualTo(403);
        assertThat(RawHttp.status(url, post("localhost", "null", "application/json"))).isEqualTo(403);
        assertThat(api.changedType).isNull();
    }

    @Test
    void shouldRefuseAChangeNotSentAsJson() throws Exception
    {
        // What an HTML form can post cross-site without a preflight.
        final String url = start(new ManagementListener.UnixSocket(dir.resolve("m.sock"), ""));

        assertThat(RawHttp.status(url, post("localhost", null, "text/plain"))).isEqualTo(415);
        assertThat(RawHttp.status(url, post("localhost", null, "application/x-www-form-urlencoded"))).isEqualTo(415);
        assertThat(RawHttp.status(url, post("localhost", null, null))).isEqualTo(415);
        assertThat(api.changedType).isNull();
    }

    @Test
    void shouldWriteOneAuditLineNamingTheCallerOfEveryChange() throws Exception
    {
        final String url = start(new ManagementListener.UnixSocket(dir.resolve("m.sock"), ""));
        final Logger audit = (Logger)LoggerFactory.getLogger("io.vplane.audit");
        final ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        audit.addAppender(lines);
        try
        {
            final ManagementClient client = new ManagementClient(url);
            client.get("/status");
            client.post("/placement", PLACEMENT);
            RawHttp.status(url, post("localhost", null, "text/plain"));
        }
        finally
        {
            audit.detachAppender(lines);
        }

        final long pid = ProcessHandle.current().pid();
        final int uid = (Integer)Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
            "uid=" + uid + " pid=" + pid + " POST /placement -> 200",
            "uid=" + uid + " pid=" + pid + " POST /placement -> 415");
    }

    @Test
    void shouldServeTcpOverTlsToAClientThatTrustsTheDaemonsCertificate() throws Exception
    {
        final Path cert = dir.resolve("cert.pem");
        final Path key = dir.resolve("key.pem");
        final Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
        assertThat(openssl.waitFor()).as(new String(openssl.getInputStream().readAllBytes())).isZero();
        final BearerToken token = TokenFiles.token(dir);
        final String url = start(new ManagementListener.Tcp("127.0.0.1", 0, token,
            new ManagementListener.TlsFiles(cert, key)));

        assertThat(url).startsWith("https://127.0.0.1:");
        assertThat(new ManagementClient(url, token, TrustedCertificate.sslContext(cert)).get("/status")).contains("\"pid\"");
        assertThatThrownBy(() -> new ManagementClient(url.replace("https:", "http:"), token, null).get("/status"))
            .isInstanceOf(ManagementClientException.class);
    }

    private String start(final ManagementListener listener)
    {
        final ManagementServer server = new ManagementServer(listener, api, counters.reader());
        servers.add(server);
        return server.start();
    }

    private String startTcp() throws Exception
    {
        return start(new ManagementListener.Tcp("127.0.0.1", 0, TokenFiles.token(dir), null));
    }

    private Path writeToken(final String token) throws Exception
    {
        final Path file = dir.resolve("other-token");
        Files.writeString(file, token);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private static String post(final String host, final String origin, final String contentType)
    {
        return "POST /placement HTTP/1.1\n" +
            "Host: " + host + "\n" +
            (null == origin ? "" : "Origin: " + origin + "\n") +
            (null == contentType ? "" : "Content-Type: " + contentType + "\n") +
            "Authorization: Bearer " + TokenFiles.TOKEN + "\n" +
            "Content-Length: " + PLACEMENT.length() + "\n" +
            "Connection: close\n" +
            "\n" + PLACEMENT;
    }
}
