package io.pgpilot.testkit;

import io.pgpilot.events.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The whole platform on one machine: Kafka (KRaft), optionally the local S3 store (Ceph RGW) and
 * the six services as separate processes.
 * The README's run command and the system tests both start it through here.
 */
public final class LocalPlatform implements AutoCloseable {

    /** Ports and places; {@link #defaults} for the run command, {@link #ephemeral} for tests. */
    public record Settings(Path repository, Path home, int kafkaPort, int kafkaControllerPort, int gatewayPort,
                           int provisionerPort, int healthMonitorPort, int failoverPort, int backupPort,
                           int servicesPort, int firstInstancePort, int firstEndpointPort) {

        public static Settings defaults(Path repository, Path home) {
            return new Settings(repository, home, 9092, 9093, 8080, 8081, 8082, 8083, 8084, 8085, 15432, 5432);
        }

        /** Poolers get ports from here: PgBouncer's usual 6432 with the run command's endpoints on 5432. */
        public int firstPoolerPort() {
            return firstEndpointPort + 1000;
        }

        public static Settings ephemeral(Path repository, Path home) {
            return new Settings(repository, home, FreePorts.next(), FreePorts.next(), FreePorts.next(), FreePorts.next(),
                    FreePorts.next(), FreePorts.next(), FreePorts.next(), FreePorts.next(),
                    20000 + (int) (ProcessHandle.current().pid() % 200) * 50, 30000 + (int) (ProcessHandle.current().pid() % 200) * 20);
        }
    }

    /**
     * The local S3 store (Ceph RGW under {@code home/s3}) with the buckets to create, each with
     * object lock; {@link #defaults} for the run command (bluestore on a file: objects survive
     * restarts; fixed ports), {@link #ephemeral} for tests (memstore, free ports).
     */
    public record ObjectStore(CephRgw.Store store, int monPort, int port, List<String> buckets) {

        /** The reference manifest's bucket. */
        public static final String REFERENCE_BUCKET = "homelab-backups";

        public static ObjectStore defaults() {
            return new ObjectStore(CephRgw.Store.BLUESTORE, 16789, 7480, List.of(REFERENCE_BUCKET));
        }

        public static ObjectStore ephemeral() {
            return new ObjectStore(CephRgw.Store.MEMSTORE, FreePorts.next(), FreePorts.next(), List.of(REFERENCE_BUCKET));
        }
    }

    /** The local analog of the reference manifest's Kubernetes Secret {@code s3-creds}. */
    /** How long a service may take to report healthy (120 s; raise with -Dpgpilot.test.service-start-seconds on a loaded machine). */
    static final Duration SERVICE_START = Duration.ofSeconds(Long.getLong("pgpilot.test.service-start-seconds", 120));

    public static final String S3_SECRET = "s3-creds";

    private final Settings settings;
    private final List<String> extraArgs;
    private final KafkaBroker kafka;
    private final ObjectStore objectStoreSettings;
    private CephRgw objectStore;
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private final GatewayClient gateway;
    private final long startedNanos = System.nanoTime();
    private long readyMillis;

    private LocalPlatform(Settings settings, List<String> extraArgs, ObjectStore objectStore) {
        this.settings = settings;
        this.extraArgs = List.copyOf(extraArgs);
        this.objectStoreSettings = objectStore;
        this.kafka = new KafkaBroker(settings.home().resolve("kafka"), settings.kafkaPort(), settings.kafkaControllerPort());
        this.gateway = GatewayClient.admin("http://127.0.0.1:" + settings.gatewayPort(), settings.home());
    }

    public static LocalPlatform start(Settings settings) {
        return start(settings, List.of());
    }

    /**
     * With {@code extraArgs} added to every service's command line (Spring properties such as
     * {@code --management.opentelemetry.tracing.export.otlp.endpoint=...}).
     */
    public static LocalPlatform start(Settings settings, List<String> extraArgs) {
        return start(settings, extraArgs, null);
    }

    /**
     * With the local S3 store (null: none) started before the services: its buckets exist with
     * object lock, {@code secrets/s3-creds.json} holds its keys (ACCESS_KEY_ID, SECRET_ACCESS_KEY)
     * and the backup service uses it for manifests without {@code endpointURL}.
     */
    public static LocalPlatform start(Settings settings, List<String> extraArgs, ObjectStore objectStore) {
        LocalPlatform platform = new LocalPlatform(settings, extraArgs, objectStore);
        try {
            platform.startAll();
            return platform;
        } catch (RuntimeException e) {
            platform.close();
            throw e;
        }
    }

    private void startAll() {
        CompletableFuture<Void> store = objectStoreSettings == null ? CompletableFuture.completedFuture(null)
                : CompletableFuture.runAsync(this::startObjectStore);
        try {
            kafka.start();
        } finally {
            store.join(); // also on failure: close() must find the store to stop it
        }
        String bootstrap = "--pgpilot.kafka-bootstrap-servers=" + kafka.bootstrapServers();
        String home = "--pgpilot.home=" + settings.home();
        Path logs = settings.home().resolve("logs");
        launch("provisioner", "provisioner", settings.provisionerPort(), logs, bootstrap, home,
                "--pgpilot.provisioner.base-port=" + settings.firstInstancePort(),
                "--pgpilot.provisioner.backup-service-url=http://127.0.0.1:" + settings.backupPort(),
                "--pgpilot.provisioner.services-url=http://127.0.0.1:" + settings.servicesPort());
        launch("health-monitor", "health-monitor", settings.healthMonitorPort(), logs, bootstrap, home);
        launch("failover-service", "failover-service", settings.failoverPort(), logs, bootstrap, home);
        launch("backup-service", "backup-service", settings.backupPort(), logs, bootstrap, home,
                "--pgpilot.backup.default-endpoint-url=" + (objectStore == null ? "" : objectStore.endpointUrl()));
        launch("services", "services", settings.servicesPort(), logs, bootstrap, home,
                "--pgpilot.services.base-port=" + settings.firstEndpointPort(),
                "--pgpilot.services.pooler-base-port=" + settings.firstPoolerPort());
        launch("api-gateway", "api-gateway", settings.gatewayPort(), logs, bootstrap, home,
                "--pgpilot.gateway.backup-service-url=http://127.0.0.1:" + settings.backupPort(),
                "--pgpilot.gateway.services-url=http://127.0.0.1:" + settings.servicesPort());
        CompletableFuture.allOf(services.values().stream()
                .map(s -> CompletableFuture.runAsync(() -> s.awaitHealthy(SERVICE_START)))
                .toArray(CompletableFuture[]::new)).join();
    }

    private void startObjectStore() {
        objectStore = new CephRgw(settings.home().resolve("s3"), objectStoreSettings.monPort(), objectStoreSettings.port(),
                objectStoreSettings.store()).start();
        for (String bucket : objectStoreSettings.buckets()) {
            objectStore.createBucket(bucket, true);
        }
        writeS3Secret(settings.home(), objectStore);
    }

    /** {@code secrets/s3-creds.json} (directory 700, file 600) with the local store's keys. */
    static void writeS3Secret(Path home, CephRgw store) {
        try {
            Path dir = home.resolve("secrets");
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            Path file = dir.resolve(S3_SECRET + ".json");
            Path partial = dir.resolve(S3_SECRET + ".json.partial");
            Files.deleteIfExists(partial);
            Files.createFile(partial, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.writeString(partial, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(
                    Map.of("ACCESS_KEY_ID", store.accessKey(), "SECRET_ACCESS_KEY", store.secretKey())) + "\n");
            Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The local S3 store, or null when the platform was started without one. */
    public CephRgw objectStore() {
        return objectStore;
    }

    private final Map<String, List<String>> launchArgs = new LinkedHashMap<>();

    private void launch(String name, String module, int port, Path logs, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(extraArgs);
        launchArgs.put(name, List.copyOf(all));
        services.put(name, ServiceProcess.start(name, pinnedJar(module), port, all, logs));
    }

    /**
     * A copy of the module's jar under the platform home: a rebuild while the platform runs rewrites
     * target/*.jar in place (same inode, so a hard link would change too) and must not pull classes
     * from under running services.
     */
    private Path pinnedJar(String module) {
        Path built = settings.repository().resolve(module).resolve("target").resolve("pgpilot-" + module + "-0.1.0-SNAPSHOT.jar");
        if (!Files.exists(built)) {
            throw new IllegalStateException(built + " not found: build the project first (mvn install -DskipTests)");
        }
        Path pinned = settings.home().resolve("bin").resolve(built.getFileName());
        try {
            Files.createDirectories(pinned.getParent());
            Path partial = pinned.resolveSibling(pinned.getFileName() + ".partial");
            Files.copy(built, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, pinned, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return pinned;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the Kafka broker (the control plane loses its bus; PostgreSQL and HAProxy keep running). */
    public void stopKafka() {
        kafka.stop();
    }

    /** Starts the Kafka broker again on the same ports and data. */
    public void startKafka() {
        kafka.start();
    }

    /** Stops a service (kill -9 when {@code crash}) and starts it again with the same settings. */
    public void restartService(String name, boolean crash) {
        ServiceProcess old = services.get(name);
        if (crash) {
            old.kill();
        } else {
            old.stop(Duration.ofSeconds(45));
        }
        Path jar = settings.home().resolve("bin").resolve("pgpilot-" + name + "-0.1.0-SNAPSHOT.jar");
        ServiceProcess fresh = ServiceProcess.start(name, jar, old.httpPort(), launchArgs.get(name), settings.home().resolve("logs"));
        services.put(name, fresh);
        fresh.awaitHealthy(SERVICE_START);
    }

    /**
     * Starts one more failover-service replica ({@code failover-service-2}, ...) on a free port with
     * the first one's arguments: the replicas elect one active decider (docs/operations.md). The
     * platform starts one; {@link #close} stops the extra ones too.
     */
    public ServiceProcess startFailoverReplica() {
        int n = 2;
        while (services.containsKey("failover-service-" + n)) {
            n++;
        }
        String name = "failover-service-" + n;
        launchArgs.put(name, launchArgs.get("failover-service"));
        Path jar = settings.home().resolve("bin").resolve("pgpilot-failover-service-0.1.0-SNAPSHOT.jar");
        ServiceProcess replica = ServiceProcess.start(name, jar, FreePorts.next(), launchArgs.get(name), settings.home().resolve("logs"));
        services.put(name, replica);
        replica.awaitHealthy(SERVICE_START);
        return replica;
    }

    public Settings settings() {
        return settings;
    }

    public ServiceProcess service(String name) {
        return services.get(name);
    }

    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String gatewayUrl() {
        return "http://127.0.0.1:" + settings.gatewayPort();
    }

    /** POSTs a manifest; an existing cluster of that name is updated instead. Returns the HTTP status. */
    public int apply(String manifestYaml, String clusterName) {
        int created = send("POST", "/api/v1/clusters", manifestYaml).statusCode();
        if (created == 409) {
            return send("PUT", "/api/v1/clusters/" + clusterName, manifestYaml).statusCode();
        }
        return created;
    }

    /** A gateway call with the admin token ({@code body} as application/yaml). */
    public HttpResponse<String> send(String method, String path, String body) {
        return gateway.send(method, path, body);
    }

    /** The gateway client (admin token from {@code home/secrets/api-token-admin}) every caller goes through. */
    public GatewayClient gateway() {
        return gateway;
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> status(String cluster) {
        HttpResponse<String> response = send("GET", "/api/v1/clusters/" + cluster, null);
        if (response.statusCode() != 200) {
            return Map.of("httpStatus", response.statusCode());
        }
        return Json.MAPPER.readValue(response.body(), Map.class);
    }

    public Map<String, Object> awaitHealthy(String cluster, Duration timeout) {
        Waits.until("cluster " + cluster + " to be healthy with its endpoints", timeout, () -> {
            Map<String, Object> status = status(cluster);
            return "Cluster in healthy state".equals(status.get("phase")) && status.get("endpoints") != null;
        });
        readyMillis = (System.nanoTime() - startedNanos) / 1_000_000;
        return status(cluster);
    }

    /** Milliseconds from the start of the platform to the cluster being healthy (after awaitHealthy). */
    public long readyMillis() {
        return readyMillis;
    }

    /** Resident memory of the control plane (Kafka excluded), in MiB, from /proc. */
    public long controlPlaneRssMiB() {
        long kib = 0;
        for (ServiceProcess s : services.values()) {
            kib += rssKib(s.pid());
        }
        return kib / 1024;
    }

    static long rssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    /** Stops the services (the provisioner stops PostgreSQL, services stops HAProxy), then Kafka. */
    @Override
    public void close() {
        List<ServiceProcess> reverse = new ArrayList<>(services.values());
        java.util.Collections.reverse(reverse);
        CompletableFuture.allOf(reverse.stream()
                .map(s -> CompletableFuture.runAsync(() -> s.stop(Duration.ofSeconds(45))))
                .toArray(CompletableFuture[]::new)).join();
        kafka.stop();
        if (objectStore != null) {
            objectStore.stop();
        }
    }

    /** {@code LocalPlatform <repository> <home> <manifest> <cluster>}: the README's run command. */
    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        Path repository = Path.of(args[0]).toAbsolutePath();
        Path home = Path.of(args[1]).toAbsolutePath();
        // a manifest file, or a folder: every *.yaml / *.yml in it (sorted), e.g. examples/fleet
        Path target = Path.of(args[2]);
        List<Path> manifests;
        if (Files.isDirectory(target)) {
            try (var files = Files.list(target)) {
                manifests = files.filter(p -> p.getFileName().toString().matches(".*\\.ya?ml")).sorted().toList();
            }
        } else {
            manifests = List.of(target);
        }
        Files.createDirectories(home);
        System.out.println("pgpilot: starting Kafka, the S3 store and the six services (state in " + home + ", logs in "
                + home.resolve("logs") + ")");
        LocalPlatform platform = start(Settings.defaults(repository, home), List.of(), ObjectStore.defaults());
        Thread stopper = new Thread(() -> {
            System.out.println("\npgpilot: stopping (data is kept in " + home + ")");
            platform.close();
            System.out.println("pgpilot: stopped");
        });
        Runtime.getRuntime().addShutdownHook(stopper);
        List<String> clusters = new java.util.ArrayList<>();
        for (Path manifest : manifests) {
            String yaml = Files.readString(manifest);
            String cluster = manifests.size() == 1 && args.length > 3 && !args[3].isBlank() ? args[3] : clusterName(yaml, manifest);
            System.out.println("pgpilot: services up; applying " + manifest + " -> HTTP " + platform.apply(yaml, cluster));
            clusters.add(cluster);
        }
        for (String cluster : clusters) {
            Map<String, Object> status = platform.awaitHealthy(cluster, Duration.ofSeconds(clusters.size() > 1 ? 600 : 180));
            System.out.printf("pgpilot: cluster %s healthy %.1f s after start; control plane RSS %d MiB%n", cluster,
                    platform.readyMillis() / 1000.0, platform.controlPlaneRssMiB());
            System.out.println("  primary:   " + status.get("currentPrimary") + " (timeline " + status.get("timeline") + ")");
            System.out.println("  sync:      " + status.get("synchronousStandbyNames"));
            ((Map<String, String>) status.get("endpoints")).forEach((name, address) -> System.out.println("  endpoint:  " + name + " -> " + address));
            System.out.println("  app user:  password in " + home.resolve("secrets").resolve(cluster + "-app.json"));
        }
        System.out.println("  API:       " + platform.gatewayUrl() + "/api/v1/clusters"
                + " (Authorization: Bearer <token>; tokens in " + home.resolve("secrets").resolve("api-token-{admin,operator,viewer}") + ")");
        System.out.println("  CLI:       ./pgpilot status " + clusters.getFirst() + "   (./pgpilot --help)");
        System.out.println("  S3 store:  " + platform.objectStore().endpointUrl() + " (Ceph RGW, object lock; keys in "
                + home.resolve("secrets").resolve(S3_SECRET + ".json") + ")");
        System.out.println("pgpilot: running; press Ctrl-C to stop");
        Thread.currentThread().join();
    }

    /** {@code metadata.name} of a Cluster manifest (the first {@code name:} indented by two spaces). */
    static String clusterName(String yaml, Path file) {
        var m = java.util.regex.Pattern.compile("(?m)^  name: *['\"]?([a-z0-9-]+)").matcher(yaml);
        if (!m.find()) {
            throw new IllegalArgumentException(file + ": no metadata.name");
        }
        return m.group(1);
    }
}
