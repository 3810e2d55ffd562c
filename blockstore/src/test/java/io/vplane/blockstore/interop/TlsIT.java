package io.vplane.blockstore.interop;

import io.vplane.blockstore.device.NbdFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** STARTTLS with X.509 and client certificates, against libnbd (GnuTLS). */
@Timeout(120)
class TlsIT
{
    @TempDir
    Path dir;
    private Path certs;
    private NbdFixture fixture;

    @BeforeEach
    void start() throws Exception
    {
        certs = TestCertificates.create(dir.resolve("certs"));
        fixture = new NbdFixture(dir.resolve("run"), """
              tls:
                certificateFile: %1$s/server-cert.pem
                privateKeyFile: %1$s/server-key.pem
                clientCaFile: %1$s/ca-cert.pem
              tenants:
                - {name: secure, allow: [127.0.0.0/8], requireTls: true}
                - {name: open, allow: [127.0.0.0/8]}
              disks:
                - {name: vault, image: vault.img, sizeBytes: 1048576, tenant: secure}
                - {name: plain, image: plain.img, sizeBytes: 1048576, tenant: open}
            """.formatted(certs));
    }

    @AfterEach
    void stop()
    {
        fixture.close();
    }

    @Test
    void shouldServeATlsOnlyDiskOverStartTlsWithAClientCertificate()
    {
        final String info = Peer.run(30, "nbdinfo",
            "nbds://127.0.0.1:" + fixture.port() + "/vault?tls-certificates=" + certs);

        assertThat(info).contains("export-size: 1048576").contains("with TLS");
    }

    @Test
    void shouldRefuseTheTlsOnlyDiskWithoutTls()
    {
        final Peer.Result plain = Peer.runAllowingFailure(30, "nbdinfo", fixture.uri("vault"));

        assertThat(plain.exitCode()).as(plain.output()).isNotZero();
        assertThat(plain.output()).containsIgnoringCase("TLS");
    }

    @Test
    void shouldRefuseAClientWithoutACertificateSignedByTheClientCa() throws Exception
    {
        final Path noClientCert = Files.createDirectories(dir.resolve("ca-only"));
        Files.copy(certs.resolve("ca-cert.pem"), noClientCert.resolve("ca-cert.pem"));

        final Peer.Result result = Peer.runAllowingFailure(30, "nbdinfo",
            "nbds://127.0.0.1:" + fixture.port() + "/vault?tls-certificates=" + noClientCert);

        assertThat(result.exitCode()).as(result.output()).isNotZero();
    }

    @Test
    void shouldStillServeOpenDisksWithoutTls()
    {
        assertThat(Peer.run(30, "nbdinfo", fixture.uri("plain"))).contains("export-size: 1048576");
    }
}
