package io.pgpilot.launcher;

import io.pgpilot.local.CommandException;
import io.pgpilot.local.Commands;
import io.pgpilot.local.OsUser;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real S3-compatible store that enforces object lock: a single-node Ceph (one monitor, one OSD)
 * with one radosgw on loopback, from Debian's packages ({@code ceph-mon ceph-osd radosgw
 * ceph-common}). Everything (configuration, keyring, run directory, admin sockets, logs, data)
 * lives under one data directory; no cephx (auth none, every messenger mode crc), pool size 1.
 * The daemons run in the foreground as child processes. The S3 user has fixed keys.
 *
 * <p>{@link Store#MEMSTORE} keeps objects in the OSD's memory (fast, for tests: a restart of the
 * OSD forgets them, so such a store is always created fresh); {@link Store#BLUESTORE} keeps them
 * in a sparse file under the data directory and survives restarts (the run command).
 */
public final class CephRgw implements AutoCloseable {

    public static final String ACCESS_KEY = "PGPILOTLOCALS3KEY000";
    /** A fixed, local-only secret of the local store (not a real credential; the store listens on loopback only). */
    public static final String SECRET_KEY = "pgpilot-local-s3-secret-key-0000000000";
    public static final String REGION = "us-east-1";
    private static final String USER = "pgpilot";

    public enum Store { MEMSTORE, BLUESTORE }

    private final Path dataDir;
    private final int monPort;
    private final int port;
    private final Store store;
    private final List<Process> daemons = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    public CephRgw(Path dataDir, int monPort, int port, Store store) {
        this.dataDir = dataDir.toAbsolutePath();
        this.monPort = monPort;
        this.port = port;
        this.store = store;
    }

    /** A new memstore-backed store on free ports (tests). */
    public static CephRgw startFresh(Path dataDir) {
        CephRgw rgw = new CephRgw(dataDir, FreePorts.next(), FreePorts.next(), Store.MEMSTORE);
        rgw.start();
        return rgw;
    }

    /** Whether Debian's Ceph daemons are installed (scripts/install-deps.sh installs them). */
    public static boolean installed() {
        return Files.isExecutable(Path.of("/usr/bin/ceph-mon")) && Files.isExecutable(Path.of("/usr/bin/ceph-osd"))
                && Files.isExecutable(Path.of("/usr/bin/radosgw")) && Files.isExecutable(Path.of("/usr/bin/radosgw-admin"));
    }

    public String endpointUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    public Path dataDir() {
        return dataDir;
    }

    /**
     * Creates the cluster on first use (a memstore one every time), starts monitor, OSD and
     * radosgw, waits for HTTP and makes sure the S3 user exists.
     */
    public synchronized CephRgw start() {
        if (!installed()) {
            throw new IllegalStateException("Ceph is not installed (ceph-mon ceph-osd radosgw ceph-common): run scripts/install-deps.sh");
        }
        long t = System.nanoTime();
        try {
            boolean initialized = Files.exists(dataDir.resolve("initialized"));
            if (store == Store.MEMSTORE && initialized) {
                // a memstore OSD comes back empty while the monitor remembers the pools: start over
                deleteRecursively(dataDir);
                initialized = false;
            }
            Files.createDirectories(dataDir);
            for (String dir : List.of("run", "log", "mon/mon.a", "osd/osd.0", "rgw")) {
                Files.createDirectories(dataDir.resolve(dir));
            }
            if (!initialized) {
                Files.writeString(conf(), config());
                tool(List.of("ceph-authtool", "--create-keyring", dataDir.resolve("keyring").toString(), "--gen-key", "-n", "mon.",
                        "--cap", "mon", "allow *"));
                tool(List.of("monmaptool", "--create", "--addv", "a", "[v2:127.0.0.1:" + monPort + "]", "--fsid", fsid(),
                        dataDir.resolve("monmap").toString()));
                tool(List.of("ceph-mon", "-c", conf().toString(), "--mkfs", "-i", "a", "--monmap", dataDir.resolve("monmap").toString(),
                        "--keyring", dataDir.resolve("keyring").toString()));
            } else {
                // ports may change between runs of the same store (the monitor's address is in its map: keep it)
                Files.writeString(conf(), config());
            }
            daemon("mon", List.of("ceph-mon", "-f", "-c", conf().toString(), "-i", "a"));
            // a monitor that is slow to come up makes the first command time out: wait for it to answer
            Waits.until("Ceph monitor answering", Duration.ofSeconds(90), () -> alive() && monitorAnswers());
            if (!initialized) {
                ceph(List.of("osd", "create"));
                tool(List.of("ceph-osd", "-c", conf().toString(), "-i", "0", "--mkfs"));
            }
            daemon("osd", List.of("ceph-osd", "-f", "-c", conf().toString(), "-i", "0"));
            Waits.until("Ceph OSD up", Duration.ofSeconds(60), () -> alive() && ceph(List.of("osd", "stat")).contains("1 up"));
            daemon("rgw", List.of("radosgw", "-f", "-c", conf().toString(), "-n", "client.rgw.a"));
            Waits.until("radosgw answering on port " + port, Duration.ofSeconds(120), () -> alive() && answers());
            ensureUser();
            if (!initialized) {
                Files.writeString(dataDir.resolve("initialized"), store.name() + "\n");
            }
            System.out.printf("ceph-rgw: %s up on %s in %d ms (%s)%n", dataDir, endpointUrl(), (System.nanoTime() - t) / 1_000_000, store);
            return this;
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    private Path conf() {
        return dataDir.resolve("ceph.conf");
    }

    private String fsid() throws IOException {
        Path file = dataDir.resolve("fsid");
        if (!Files.exists(file)) {
            Files.writeString(file, UUID.randomUUID() + "\n");
        }
        return Files.readString(file).trim();
    }

    private String config() throws IOException {
        String d = dataDir.toString();
        List<String> lines = new ArrayList<>(List.of(
                "[global]",
                "fsid = " + fsid(),
                "mon host = v2:127.0.0.1:" + monPort,
                "mon initial members = a",
                "public network = 127.0.0.0/8",
                // no cephx: loopback only, one data directory, nothing to protect between the daemons
                "auth cluster required = none",
                "auth service required = none",
                "auth client required = none",
                "auth allow insecure global id reclaim = true",
                // without crc everywhere radosgw loops on auth error -13
                "ms cluster mode = crc",
                "ms service mode = crc",
                "ms client mode = crc",
                "ms mon cluster mode = crc",
                "ms mon service mode = crc",
                "ms mon client mode = crc",
                "osd pool default size = 1",
                "osd pool default min size = 1",
                "mon allow pool size one = true",
                "mon warn on pool no redundancy = false",
                "osd pool default pg num = 8",
                "osd pool default pgp num = 8",
                "osd crush chooseleaf type = 0",
                "run dir = " + d + "/run",
                "log file = " + d + "/log/$name.log",
                "admin socket = " + d + "/run/$name.asok",
                "pid file = " + d + "/run/$name.pid",
                "keyring = " + d + "/keyring",
                "mon data = " + d + "/mon/$name",
                "osd data = " + d + "/osd/$name",
                "osd memory target = 536870912",
                "rgw frontends = beast endpoint=127.0.0.1:" + port,
                "rgw data = " + d + "/rgw",
                // SSE over plain HTTP on loopback; SSE-KMS with a local test key
                "rgw crypt require ssl = false",
                "rgw crypt s3 kms backend = testing",
                "rgw crypt s3 kms encryption keys = pgpilot-local=cGdwaWxvdC1sb2NhbC1rbXMta2V5LTAxMjM0NTY3ODk=",
                "rgw crypt default encryption key = cGdwaWxvdC1sb2NhbC1zc2Uta2V5LTAxMjM0NTY3ODk="));
        if (store == Store.MEMSTORE) {
            lines.add("osd objectstore = memstore");
            lines.add("memstore device bytes = 2147483648");
        } else {
            lines.add("osd objectstore = bluestore");
            lines.add("bluestore block path = " + d + "/osd/block");
            lines.add("bluestore block size = 21474836480");
            lines.add("bluestore block create = true");
            lines.add("bluestore cache size = 67108864");
        }
        return String.join("\n", lines) + "\n";
    }

    private void daemon(String name, List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("log").resolve(name + ".out").toFile()))
                .start();
        process.getOutputStream().close();
        daemons.add(process);
    }

    private boolean alive() {
        for (Process p : daemons) {
            if (!p.isAlive()) {
                throw new IllegalStateException(p.info().command().orElse("a Ceph daemon") + " exited with " + p.exitValue()
                        + ", see " + dataDir.resolve("log"));
            }
        }
        return true;
    }

    private boolean answers() {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(endpointUrl() + "/"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() < 500;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void ensureUser() {
        String info;
        try {
            info = admin(List.of("user", "info", "--uid=" + USER));
        } catch (CommandException e) {
            info = admin(List.of("user", "create", "--uid=" + USER, "--display-name=pgpilot local store",
                    "--access-key=" + ACCESS_KEY, "--secret-key=" + SECRET_KEY));
        }
        if (!info.contains(ACCESS_KEY)) {
            throw new IllegalStateException("the S3 user of " + dataDir + " does not have the expected access key");
        }
    }

    private String admin(List<String> args) {
        List<String> command = new ArrayList<>(List.of("radosgw-admin", "-c", conf().toString(), "-n", "client.admin"));
        command.addAll(args);
        return Commands.run(root(), command, Map.of(), dataDir, Duration.ofSeconds(60));
    }

    private boolean monitorAnswers() {
        try {
            ceph(List.of("mon", "stat"));
            return true;
        } catch (io.pgpilot.local.CommandException e) {
            return false;
        }
    }

    private String ceph(List<String> args) {
        List<String> command = new ArrayList<>(List.of("ceph", "-c", conf().toString(), "--connect-timeout", "10"));
        command.addAll(args);
        return Commands.run(root(), command, Map.of(), dataDir, Duration.ofSeconds(30));
    }

    private void tool(List<String> command) {
        Commands.run(root(), command, Map.of(), dataDir, Duration.ofSeconds(60));
    }

    private static OsUser root() {
        return new OsUser(System.getProperty("user.name"), false);
    }

    // ---- S3 ------------------------------------------------------------------------------------

    /**
     * An S3 client for this store with the settings RGW needs: path-style addressing, endpoint
     * override, checksums only when an operation requires them.
     */
    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(URI.create(endpointUrl()))
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(2))
                        .socketTimeout(Duration.ofSeconds(30)).build())
                .build();
    }

    /** Creates a bucket (with object lock, which implies versioning, when asked); an existing one is kept. */
    public void createBucket(String bucket, boolean objectLock) {
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket(bucket).objectLockEnabledForBucket(objectLock));
        } catch (BucketAlreadyOwnedByYouException e) {
            // kept as it is
        } catch (S3Exception e) {
            if (!"BucketAlreadyExists".equals(e.awsErrorDetails().errorCode())) {
                throw e;
            }
        }
    }

    // ---- lifecycle -----------------------------------------------------------------------------

    /** Stops radosgw, the OSD and the monitor (data of a bluestore store is kept). */
    public synchronized void stop() {
        List<Process> reverse = new ArrayList<>(daemons);
        java.util.Collections.reverse(reverse);
        for (Process p : reverse) {
            p.destroy();
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        daemons.clear();
    }

    /** Stops only radosgw (S3 unreachable, the cluster keeps its data); {@link #startGateway} brings it back. */
    public synchronized void stopGateway() {
        Process rgw = daemons.isEmpty() ? null : daemons.getLast();
        if (rgw != null && rgw.info().command().map(c -> c.endsWith("radosgw")).orElse(true)) {
            rgw.destroy();
            try {
                if (!rgw.waitFor(20, TimeUnit.SECONDS)) {
                    rgw.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            daemons.remove(rgw);
        }
        Waits.until("radosgw to stop answering", Duration.ofSeconds(20), () -> !answers());
    }

    public synchronized void startGateway() {
        try {
            daemon("rgw", List.of("radosgw", "-f", "-c", conf().toString(), "-n", "client.rgw.a"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Waits.until("radosgw answering on port " + port, Duration.ofSeconds(120), () -> alive() && answers());
    }

    @Override
    public void close() {
        stop();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
