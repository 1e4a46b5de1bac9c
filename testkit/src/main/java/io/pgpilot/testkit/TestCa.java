package io.pgpilot.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority made with openssl, playing the control plane's part in tests
 * of the instance side: a server pair for given IP addresses and the {@code streaming_replica}
 * client pair, all PEM, valid one day. Not the platform's CA (that is the provisioner's).
 */
public final class TestCa {

    /** An instance's material, PEM: what the control plane hands a node. */
    public record Issued(String caCertificate, String serverKey, String serverCertificate, String clientKey, String clientCertificate) {
    }

    private final Path dir;
    private int serial;

    private TestCa(Path dir) {
        this.dir = dir;
    }

    /** A new CA whose files live in {@code dir} (created). */
    public static TestCa create(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestCa ca = new TestCa(dir);
        ca.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key",
                "-out", "ca.crt", "-days", "1", "-subj", "/CN=pgpilot-test-ca", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return ca;
    }

    /** A server certificate for {@code cn} valid for the given IP addresses, and the replication client pair. */
    public Issued issue(String cn, String... ipAddresses) {
        int n = ++serial;
        List<String> sans = new ArrayList<>();
        for (String ip : ipAddresses) {
            sans.add("IP:" + ip);
        }
        leaf("server" + n, "/CN=" + cn, "subjectAltName=" + String.join(",", sans));
        leaf("client" + n, "/CN=streaming_replica", "extendedKeyUsage=clientAuth");
        return new Issued(read("ca.crt"), read("server" + n + ".key"), read("server" + n + ".crt"), read("client" + n + ".key"),
                read("client" + n + ".crt"));
    }

    public Path certificateFile() {
        return dir.resolve("ca.crt");
    }

    private void leaf(String name, String subject, String extension) {
        openssl("req", "-x509", "-CA", "ca.crt", "-CAkey", "ca.key", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".crt", "-days", "1", "-subj", subject, "-addext", extension);
    }

    private String read(String name) {
        try {
            return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("openssl " + args[0] + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
