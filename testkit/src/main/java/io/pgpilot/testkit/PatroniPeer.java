package io.pgpilot.testkit;

import io.pgpilot.launcher.Waits;
import io.pgpilot.local.OsUser;
import io.pgpilot.local.PostgresBinaries;
import io.pgpilot.testkit.NetworkTestBed.Host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The peer pgpilot is measured against on node loss and partitions: Debian's Patroni 3.0.2 with an
 * etcd 3.4 member on every database host of a {@link NetworkTestBed}, and HAProxy on the client host
 * routing {@code :5000} (every address of that host) to the leader with Patroni's documented health check ({@code OPTIONS /primary}).
 * Synchronous mode is on, like pgpilot's ANY 1 synchronous replication, so neither side may lose an
 * acknowledged commit. Benchmark and test use only: this is not part of the product.
 */
public final class PatroniPeer implements AutoCloseable {

    /**
     * Patroni's DCS timing and the HAProxy check cadence. {@link #DOCUMENTED} are Patroni's defaults and
     * its documented HAProxy template; {@link #TUNED} is what an operator would set for fast failover
     * within Patroni's rule {@code loop_wait + 2 * retry_timeout <= ttl}.
     */
    public record Timing(int ttl, int loopWait, int retryTimeout, String haproxyCheck) {
        public static final Timing DOCUMENTED = new Timing(30, 10, 10, "inter 3s fall 3 rise 2");
        public static final Timing TUNED = new Timing(10, 2, 4, "inter 500ms fall 1 rise 1");

        public Timing {
            if (loopWait + 2 * retryTimeout > ttl) {
                throw new IllegalArgumentException("Patroni needs loop_wait + 2 * retry_timeout <= ttl");
            }
        }
    }

    public static final int PROXY_PORT = 5000;

    private final NetworkTestBed bed;
    private final List<Host> nodes;
    private final Host client;
    private final Path home;
    private final String superuserPassword = UUID.randomUUID().toString();
    private final List<Process> processes = new ArrayList<>();

    private final Timing timing;

    private PatroniPeer(NetworkTestBed bed, List<Host> nodes, Host client, Path home, Timing timing) {
        this.bed = bed;
        this.nodes = List.copyOf(nodes);
        this.client = client;
        this.home = home;
        this.timing = timing;
    }

    /** Starts etcd and Patroni on every node and HAProxy on the client host; returns once a leader writes. */
    public static PatroniPeer start(NetworkTestBed bed, List<Host> nodes, Host client, Path home, Timing timing) {
        PatroniPeer peer = new PatroniPeer(bed, nodes, client, home, timing);
        try {
            nodes.forEach(peer::startEtcd);
            for (Host node : nodes) {
                peer.startPatroni(node, timing);
            }
            peer.startHaproxy(timing);
            Waits.until("a Patroni leader with every replica streaming", Duration.ofSeconds(180),
                    () -> peer.leader().isPresent() && peer.streamingReplicas() == nodes.size() - 1);
            return peer;
        } catch (RuntimeException e) {
            peer.close();
            throw e;
        }
    }

    private void startEtcd(Host node) {
        String cluster = nodes.stream().map(n -> n.name() + "=http://" + n.address() + ":2380")
                .collect(Collectors.joining(","));
        Path dir = directory(node).resolve("etcd");
        // started again after a power loss, etcd finds its data directory and ignores the initial-cluster flags
        processes.add(bed.start(node, List.of("etcd", "--name", node.name(), "--data-dir", dir.toString(),
                "--listen-peer-urls", "http://" + node.address() + ":2380",
                "--initial-advertise-peer-urls", "http://" + node.address() + ":2380",
                "--listen-client-urls", "http://" + node.address() + ":2379,http://127.0.0.1:2379",
                "--advertise-client-urls", "http://" + node.address() + ":2379",
                "--initial-cluster", cluster, "--initial-cluster-state", "new",
                "--initial-cluster-token", "pgpilot-peer"), directory(node).resolve("etcd.log")));
    }

    private void startPatroni(Host node, Timing timing) {
        OsUser user = OsUser.forPostgres(OsUser.DEFAULT_UNPRIVILEGED);
        Path dir = directory(node);
        user.chown(dir);
        String etcdHosts = nodes.stream().map(n -> n.address() + ":2379").collect(Collectors.joining(","));
        String yaml = """
                scope: peer
                name: %1$s
                log:
                  level: INFO
                restapi:
                  listen: %2$s:8008
                  connect_address: %2$s:8008
                etcd3:
                  hosts: %3$s
                bootstrap:
                  dcs:
                    ttl: %4$d
                    loop_wait: %5$d
                    retry_timeout: %6$d
                    maximum_lag_on_failover: 1048576
                    synchronous_mode: true
                    postgresql:
                      use_pg_rewind: true
                      parameters:
                        max_connections: 200
                        wal_log_hints: "on"
                  initdb:
                  - encoding: UTF8
                  - data-checksums
                  pg_hba:
                  - local all all trust
                  - host replication replicator 10.77.0.0/24 scram-sha-256
                  - host all all 10.77.0.0/24 scram-sha-256
                postgresql:
                  listen: %2$s:5432
                  connect_address: %2$s:5432
                  data_dir: %7$s/data
                  bin_dir: %8$s
                  pgpass: %7$s/pgpass
                  authentication:
                    superuser: {username: postgres, password: "%9$s"}
                    replication: {username: replicator, password: "%9$s"}
                  parameters:
                    unix_socket_directories: %7$s
                """.formatted(node.name(), node.address(), etcdHosts, timing.ttl(), timing.loopWait(),
                timing.retryTimeout(), dir, PostgresBinaries.detect().directory(), superuserPassword);
        Path config = dir.resolve("patroni.yml");
        write(config, yaml);
        user.chown(config);
        processes.add(bed.start(node, user.wrap(List.of("patroni", config.toString())), dir.resolve("patroni.log")));
    }

    private void startHaproxy(Timing timing) {
        StringBuilder cfg = new StringBuilder("""
                global
                  maxconn 1000
                defaults
                  mode tcp
                  retries 2
                  timeout connect 4s
                  timeout client 30m
                  timeout server 30m
                  timeout check 5s
                listen primary
                  bind :%d
                  option httpchk OPTIONS /primary
                  http-check expect status 200
                  default-server %s on-marked-down shutdown-sessions
                """.formatted(PROXY_PORT, timing.haproxyCheck()));
        for (Host node : nodes) {
            cfg.append("  server ").append(node.name()).append(' ').append(node.address())
                    .append(":5432 maxconn 200 check port 8008\n");
        }
        Path dir = home.resolve("haproxy");
        createDirectories(dir);
        Path file = dir.resolve("haproxy.cfg");
        write(file, cfg.toString());
        processes.add(bed.start(client, List.of("haproxy", "-db", "-f", file.toString()), dir.resolve("haproxy.log")));
    }

    /**
     * Power is back on a node that lost it: its etcd member and its Patroni start again on the data they
     * left (Patroni then starts PostgreSQL as a replica, rewinding it if it was the leader).
     */
    public void powerBack(Host node) {
        startEtcd(node);
        startPatroni(node, timing);
    }

    /** The proxy's address as other hosts (and the root namespace, with a root link) reach it: {@code <client address>:5000}. */
    public String endpoint() {
        return client.address() + ":" + PROXY_PORT;
    }

    /** The node whose Patroni REST API answers 200 on {@code /primary}, asked from the client host. */
    public Optional<Host> leader() {
        return nodes.stream().filter(node -> httpStatus(node, "/primary") == 200).findFirst();
    }

    /**
     * How many nodes stream from the leader, as the leader's {@code /patroni} lists them in
     * {@code replication}; 0 unless one of them is its synchronous standby ({@code /replica} answers 200
     * for a replica that runs but does not stream yet: a round started then wrote to a primary whose
     * commits no standby had, and lost its table with the primary's host).
     */
    @SuppressWarnings("unchecked")
    public long streamingReplicas() {
        Optional<Host> leader = leader();
        if (leader.isEmpty()) {
            return 0;
        }
        try {
            String body = bed.exec(client, "curl", "-s", "--max-time", "2", "http://" + leader.get().address() + ":8008/patroni");
            Object rows = io.pgpilot.events.Json.read(body, java.util.Map.class).get("replication");
            if (!(rows instanceof List<?> list)) {
                return 0;
            }
            List<java.util.Map<String, Object>> replication = (List<java.util.Map<String, Object>>) list;
            boolean synchronous = replication.stream().anyMatch(r -> "sync".equals(r.get("sync_state")));
            return synchronous ? replication.stream().filter(r -> "streaming".equals(r.get("state"))).count() : 0;
        } catch (RuntimeException unreachable) {
            return 0;
        }
    }

    private int httpStatus(Host node, String path) {
        try {
            String out = bed.exec(client, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2",
                    "http://" + node.address() + ":8008" + path);
            return Integer.parseInt(out.strip());
        } catch (RuntimeException unreachable) {
            return 0;
        }
    }

    /** The superuser password, for a client that connects through the proxy (never logged). */
    public String superuserPassword() {
        return superuserPassword;
    }

    public Host client() {
        return client;
    }

    public List<Host> nodes() {
        return nodes;
    }

    private Path directory(Host node) {
        Path dir = home.resolve(node.name());
        createDirectories(dir);
        return dir;
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops every process it started (PostgreSQL too: it runs in the nodes' namespaces). */
    @Override
    public void close() {
        for (Host node : nodes) {
            bed.powerLoss(node);
        }
        bed.powerLoss(client);
        processes.forEach(Process::destroyForcibly);
    }
}
