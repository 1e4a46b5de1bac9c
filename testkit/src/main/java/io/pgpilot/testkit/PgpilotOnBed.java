package io.pgpilot.testkit;

import io.pgpilot.launcher.LocalPlatform;
import io.pgpilot.launcher.Waits;
import io.pgpilot.events.Json;
import io.pgpilot.testkit.NetworkTestBed.Host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * pgpilot across hosts for the benchmark, as {@code MultiHostSystemIT} runs it: the whole platform
 * ({@link LocalPlatform}, its {@code -rw} HAProxy included) in the root namespace at the bed's root
 * address, one node agent per host ({@link NodeAgents}), a 3-instance cluster with one instance per node.
 */
final class PgpilotOnBed implements MultiHostSystem {

    static final String CLUSTER = "mhb";
    private static final List<String> NODES = List.of("n1", "n2", "n3");
    private static final String MANIFEST = """
            apiVersion: postgresql.cnpg.io/v1
            kind: Cluster
            metadata:
              name: mhb
            spec:
              instances: 3
              postgresql:
                parameters:
                  shared_buffers: "32MB"
                  max_connections: "50"
            """;

    private final NetworkTestBed bed;
    private final LocalPlatform platform;
    private final NodeAgents agents;
    private final Path home;
    /** Instance address by host, as the status last said (a dead node's instance keeps its address). */
    private final Map<Host, String> members = new ConcurrentHashMap<>();

    private PgpilotOnBed(NetworkTestBed bed, LocalPlatform platform, NodeAgents agents, Path home) {
        this.bed = bed;
        this.platform = platform;
        this.agents = agents;
        this.home = home;
    }

    static PgpilotOnBed start(Path repository, Path dir) {
        NetworkTestBed bed = NetworkTestBed.create("pq", NODES, true);
        LocalPlatform platform = null;
        try {
            Path home = directory(dir.resolve("platform"));
            platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(repository, home).withAdvertisedAddress(bed.rootAddress()));
            NodeAgents agents = new NodeAgents(bed, dir, platform.kafkaBootstrapServers(), platform.joinTokenFile(),
                    NodeAgents.builtClasspath(repository));
            NODES.forEach(agents::start);
            agents.awaitRegistered(NODES, Duration.ofSeconds(120));
            PgpilotOnBed system = new PgpilotOnBed(bed, platform, agents, home);
            if (platform.apply(MANIFEST, CLUSTER) != 201) {
                throw new IllegalStateException("cluster not accepted");
            }
            platform.awaitHealthy(CLUSTER, Duration.ofSeconds(300));
            Waits.until("a healthy cluster on three nodes", Duration.ofSeconds(120), system::healthy);
            return system;
        } catch (RuntimeException e) {
            if (platform != null) {
                platform.close();
            }
            bed.close();
            throw e;
        }
    }

    private static Path directory(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String name() {
        return "pgpilot";
    }

    @Override
    public String settings() {
        return "pgpilot: 3 instances on 3 node agents, synchronous ANY 1, failover lease 8 s (self-fence timeout 4 s + margin),"
                + " -rw = HAProxy on the control-plane side (root namespace) switched by the services";
    }

    @Override
    public NetworkTestBed bed() {
        return bed;
    }

    @Override
    @SuppressWarnings("unchecked")
    public String rwEndpoint() {
        return ((Map<String, String>) platform.status(CLUSTER).get("endpoints")).get(CLUSTER + "-rw");
    }

    @Override
    public Login application() {
        return new Login("app", "app", secret("app"), false);
    }

    @Override
    public Login superuser() {
        return new Login("postgres", "postgres", secret("superuser"), true);
    }

    @SuppressWarnings("unchecked")
    private String secret(String kind) {
        try {
            return (String) Json.MAPPER.readValue(Files.readString(home.resolve("secrets").resolve(CLUSTER + "-" + kind + ".json")),
                    Map.class).get("password");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> instances() {
        Object rows = platform.status(CLUSTER).get("instanceStatus");
        List<Map<String, Object>> instances = rows == null ? List.of() : (List<Map<String, Object>>) rows;
        for (Map<String, Object> row : instances) {
            if (row.get("host") != null && row.get("port") != null) {
                hostAt((String) row.get("host")).ifPresent(h -> members.put(h, row.get("host") + ":" + row.get("port")));
            }
        }
        return instances;
    }

    private java.util.Optional<Host> hostAt(String address) {
        return bed.hosts().stream().filter(h -> h.address().equals(address)).findFirst();
    }

    @Override
    public Map<Host, String> members() {
        if (members.size() < NODES.size()) {
            instances();
        }
        return new LinkedHashMap<>(members);
    }

    @Override
    public Host primaryHost() {
        String primary = (String) platform.status(CLUSTER).get("currentPrimary");
        return instances().stream().filter(i -> primary != null && primary.equals(i.get("name")))
                .map(i -> (String) i.get("host")).flatMap(a -> hostAt(a).stream()).findFirst()
                .orElseThrow(() -> new IllegalStateException("no placed primary in the status"));
    }

    @Override
    public boolean healthy() {
        Map<String, Object> status = platform.status(CLUSTER);
        List<Map<String, Object>> instances = instances();
        return "Cluster in healthy state".equals(status.get("phase")) && instances.size() == NODES.size()
                && instances.stream().allMatch(i -> i.get("host") != null)
                && instances.stream().filter(i -> "replica".equals(i.get("role"))).filter(i -> "streaming".equals(i.get("walReceiver")))
                .count() == NODES.size() - 1;
    }

    @Override
    public void powerBack(Host host) {
        agents.start(host.name()); // the node agent boots; it starts, rewinds or re-clones its instance as told
    }

    @Override
    public void close() {
        try {
            platform.close();
        } finally {
            bed.close();
        }
    }
}
