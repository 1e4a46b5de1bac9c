package io.pgpilot.launcher;

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

    /**
     * Ports and places; {@link #defaults} for the run command, {@link #ephemeral} for tests.
     *
     * @param advertisedAddress null: one host (loopback only, instances are local processes); else
     *                          see {@link #withAdvertisedAddress}
     */
    public record Settings(Path repository, Path home, int kafkaPort, int kafkaControllerPort, int gatewayPort,
                           int provisionerPort, int healthMonitorPort, int failoverPort, int backupPort,
                           int servicesPort, int firstInstancePort, int firstEndpointPort, String advertisedAddress) {

        public static Settings defaults(Path repository, Path home) {
            return new Settings(repository, home, 9092, 9093, 8080, 8081, 8082, 8083, 8084, 8085, 15432, 5432, null);
        }

        /**
         * The control plane reachable from other hosts at {@code address} (e.g. a test bed's root
         * address): Kafka and the backup service listen there, and instances run on the nodes whose
         * agents register on Kafka with the platform's {@link LocalPlatform#joinTokenFile join token}.
         */
        public Settings withAdvertisedAddress(String address) {
            return new Settings(repository, home, kafkaPort, kafkaControllerPort, gatewayPort, provisionerPort, healthMonitorPort,
                    failoverPort, backupPort, servicesPort, firstInstancePort, firstEndpointPort, address);
        }

        /** Poolers get ports from here: PgBouncer's usual 6432 with the run command's endpoints on 5432. */
        public int firstPoolerPort() {
            return firstEndpointPort + 1000;
        }

        public static Settings ephemeral(Path repository, Path home) {
            return new Settings(repository, home, FreePorts.next(), FreePorts.next(), FreePorts.next(), FreePorts.next(),
                    FreePorts.next(), FreePorts.next(), FreePorts.next(), FreePorts.next(),
                    20000 + (int) (ProcessHandle.current().pid() % 200) * 50, 30000 + (int) (ProcessHandle.current().pid() % 200) * 20, null);
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

    /** How long a service may take to report healthy (120 s; raise with -Dpgpilot.test.service-start-seconds on a loaded machine). */
    static final Duration SERVICE_START = Duration.ofSeconds(Long.getLong("pgpilot.test.service-start-seconds", 120));

    /** The local analog of the reference manifest's Kubernetes Secret {@code s3-creds}. */
    public static final String S3_SECRET = "s3-creds";

    private final Settings settings;
    private final ControlPlaneReach reach;
    private final List<String> extraArgs;
    private final KafkaBroker kafka;
    private final ObjectStore objectStoreSettings;
    private CephRgw objectStore;
    /** Also the lock under which services are replaced (restarts, the supervisor). */
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private ServiceSupervisor supervisor;
    private final GatewayClient gateway;
    private final long startedNanos = System.nanoTime();
    private long readyMillis;

    private LocalPlatform(Settings settings, List<String> extraArgs, ObjectStore objectStore) {
        this.settings = settings;
        this.reach = new ControlPlaneReach(settings.advertisedAddress());
        this.extraArgs = List.copyOf(extraArgs);
        this.objectStoreSettings = objectStore;
        this.kafka = new KafkaBroker(settings.home().resolve("kafka"), settings.kafkaPort(), settings.kafkaControllerPort(),
                reach.kafkaAddress());
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
        if (reach.multiHost()) {
            PlatformSecrets.ensureJoinToken(settings.home());
        }
        launch("provisioner", "provisioner", settings.provisionerPort(), logs, with(reach.provisionerArgs(), bootstrap, home,
                "--pgpilot.provisioner.base-port=" + settings.firstInstancePort(),
                "--pgpilot.provisioner.backup-service-url=" + reach.backupUrl(settings.backupPort()),
                "--pgpilot.provisioner.services-url=http://127.0.0.1:" + settings.servicesPort()));
        launch("health-monitor", "health-monitor", settings.healthMonitorPort(), logs, bootstrap, home);
        launch("failover-service", "failover-service", settings.failoverPort(), logs, bootstrap, home);
        launch("backup-service", "backup-service", settings.backupPort(), logs, with(reach.backupArgs(), bootstrap, home,
                "--pgpilot.backup.default-endpoint-url=" + (objectStore == null ? "" : objectStore.endpointUrl())));
        launch("services", "services", settings.servicesPort(), logs, with(reach.servicesArgs(), bootstrap, home,
                "--pgpilot.services.base-port=" + settings.firstEndpointPort(),
                "--pgpilot.services.pooler-base-port=" + settings.firstPoolerPort()));
        launch("api-gateway", "api-gateway", settings.gatewayPort(), logs, bootstrap, home,
                "--pgpilot.gateway.backup-service-url=" + reach.backupUrl(settings.backupPort()),
                "--pgpilot.gateway.services-url=http://127.0.0.1:" + settings.servicesPort());
        CompletableFuture.allOf(services.values().stream()
                .map(s -> CompletableFuture.runAsync(() -> s.awaitHealthy(SERVICE_START)))
                .toArray(CompletableFuture[]::new)).join();
    }

    private static String[] with(List<String> more, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(more);
        return all.toArray(String[]::new);
    }

    /** The join token node agents need (a copy of it) to be reached by the provisioner; only with an advertised address. */
    public Path joinTokenFile() {
        return PlatformSecrets.joinTokenFile(settings.home());
    }

    private void startObjectStore() {
        objectStore = new CephRgw(settings.home().resolve("s3"), objectStoreSettings.monPort(), objectStoreSettings.port(),
                objectStoreSettings.store()).start();
        for (String bucket : objectStoreSettings.buckets()) {
            objectStore.createBucket(bucket, true);
        }
        PlatformSecrets.writeS3Secret(settings.home(), objectStore);
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
        ServiceProcess fresh;
        synchronized (services) { // the supervisor must not take this exit for a crash
            ServiceProcess old = services.get(name);
            if (crash) {
                old.kill();
            } else {
                old.stop(Duration.ofSeconds(45));
            }
            fresh = replace(name);
        }
        fresh.awaitHealthy(SERVICE_START);
    }

    /** Starts {@code name} again on its port with its settings in place of the stopped one; call holding {@code services}. */
    private ServiceProcess replace(String name) {
        ServiceProcess fresh = ServiceProcess.start(name, jarOf(name), services.get(name).httpPort(), launchArgs.get(name),
                settings.home().resolve("logs"));
        services.put(name, fresh);
        return fresh;
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
        ServiceProcess replica = ServiceProcess.start(name, jarOf(name), FreePorts.next(), launchArgs.get(name), settings.home().resolve("logs"));
        synchronized (services) {
            services.put(name, replica);
        }
        replica.awaitHealthy(SERVICE_START);
        return replica;
    }

    public Settings settings() {
        return settings;
    }

    public ServiceProcess service(String name) {
        synchronized (services) {
            return services.get(name);
        }
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
            kib += s.rssKib();
        }
        return kib / 1024;
    }

    /**
     * From now on a service that exits without being asked to is started again (the run command
     * does this; tests that kill services on purpose leave it off). See {@link ServiceSupervisor}.
     */
    public void supervise() {
        synchronized (services) {
            if (supervisor == null) {
                Path log = settings.home().resolve("logs").resolve("platform.log");
                supervisor = new ServiceSupervisor(services, new ServiceSupervisor.Services() {
                    @Override
                    public Map<String, ServiceProcess> current() {
                        return Map.copyOf(services);
                    }

                    @Override
                    public ServiceProcess respawn(String name) {
                        return replace(name);
                    }
                }, RestartBackoff.DEFAULT, message -> report(log, message), ServiceProcess::startedAt).start(Duration.ofMillis(250));
            }
        }
    }

    private static void report(Path log, String message) {
        String line = java.time.Instant.now() + " pgpilot: " + message;
        System.out.println(line);
        try {
            Files.writeString(log, line + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("pgpilot: cannot write " + log + ": " + e.getMessage());
        }
    }

    /** The pinned jar a service runs from (replicas such as failover-service-2 run their module's jar). */
    private Path jarOf(String name) {
        String module = name.replaceFirst("-[0-9]+$", "");
        return settings.home().resolve("bin").resolve("pgpilot-" + module + "-0.1.0-SNAPSHOT.jar");
    }

    /** Stops the services (the provisioner stops PostgreSQL, services stops HAProxy), then Kafka. */
    @Override
    public void close() {
        List<ServiceProcess> reverse;
        synchronized (services) {
            if (supervisor != null) {
                supervisor.close();
            }
            reverse = new ArrayList<>(services.values());
        }
        java.util.Collections.reverse(reverse);
        CompletableFuture.allOf(reverse.stream()
                .map(s -> CompletableFuture.runAsync(() -> s.stop(Duration.ofSeconds(45))))
                .toArray(CompletableFuture[]::new)).join();
        kafka.stop();
        if (objectStore != null) {
            objectStore.stop();
        }
    }
}
