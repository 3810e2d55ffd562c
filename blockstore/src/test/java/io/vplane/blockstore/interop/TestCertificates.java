package io.vplane.blockstore.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made with the
 * openssl CLI, laid out as libnbd's tls-certificates directory expects (ca-cert.pem,
 * client-cert.pem, client-key.pem).
 */
final class TestCertificates
{
    private TestCertificates()
    {
    }

    static Path create(final Path dir) throws IOException
    {
        Files.createDirectories(dir);
        final String d = dir.toString();
        final String ec = "ec -pkeyopt ec_paramgen_curve:prime256v1";
        Peer.run(30, "sh", "-c", String.join(" && ",
            "cd " + d,
            "openssl req -x509 -newkey " + ec + " -nodes -keyout ca-key.pem -out ca-cert.pem -days 2 -subj /CN=vplane-test-ca",
            "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > server.ext",
            "printf 'extendedKeyUsage=clientAuth\\n' > client.ext",
            "openssl req -newkey " + ec + " -nodes -keyout server-key.pem -out server.csr -subj /CN=127.0.0.1",
            "openssl x509 -req -in server.csr -CA ca-cert.pem -CAkey ca-key.pem -CAcreateserial -out server-cert.pem " +
                "-days 2 -extfile server.ext",
            "openssl req -newkey " + ec + " -nodes -keyout client-key.pem -out client.csr -subj /CN=vplane-test-client",
            "openssl x509 -req -in client.csr -CA ca-cert.pem -CAkey ca-key.pem -CAcreateserial -out client-cert.pem " +
                "-days 2 -extfile client.ext"));
        return dir;
    }
}
