package io.pgpilot.system;

import io.pgpilot.launcher.LocalPlatform;
import io.pgpilot.testkit.MultiHostSystem;
import io.pgpilot.testkit.NetworkTestBed;
import io.pgpilot.testkit.NodeAgents;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The multi-host set-up of the system tests: the control plane (LocalPlatform) in the root
 * namespace, reachable at the test bed's root address, and one node agent process inside each
 * network-namespace host (10.77.0.11, .12, ...), registered before the tests apply a cluster.
 */
final class MultiHostFixture implements AutoCloseable {

    final Path dir;
    final NetworkTestBed bed;
    final LocalPlatform platform;
    final NodeAgents agents;
    final ClusterProbe probe;
    final String cluster;
    /** Instance name -> host:port as the status last said (a dead node's instance keeps its address). */
    final Map<String, String> addresses = new ConcurrentHashMap<>();
    /** Set once every test passed: the directory (logs, data) is removed; otherwise it is kept for a look. */
    volatile boolean allPassed;
    /** Set by {@link #keepOnFailure}'s watcher when any test failed: the directory is kept whatever ran after. */
    private volatile boolean failed;

    /** Register in a test class ({@code @RegisterExtension}): a failed test keeps the fixture's directory. */
    static org.junit.jupiter.api.extension.TestWatcher keepOnFailure(java.util.function.Supplier<MultiHostFixture> fixture) {
        return new org.junit.jupiter.api.extension.TestWatcher() {
            @Override
            public void testFailed(org.junit.jupiter.api.extension.ExtensionContext context, Throwable cause) {
                MultiHostFixture current = fixture.get();
                if (current != null) {
                    current.failed = true;
                }
            }
        };
    }

    private MultiHostFixture(Path dir, NetworkTestBed bed, LocalPlatform platform, NodeAgents agents, String cluster) {
        this.dir = dir;
        this.bed = bed;
        this.platform = platform;
        this.agents = agents;
        this.cluster = cluster;
        this.probe = new ClusterProbe(platform, dir.resolve("platform"), cluster);
    }

    /**
     * Creates the bed {@code prefix} with {@code nodes}, starts the control plane (with
     * {@code extraArgs} on every service's command line) and an agent on each of {@code agentsOn},
     * and waits until those have registered.
     */
    static MultiHostFixture start(String prefix, String cluster, List<String> nodes, List<String> agentsOn, List<String> extraArgs)
            throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "e2e-" + prefix);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        NetworkTestBed bed = NetworkTestBed.create(prefix, nodes, true);
        LocalPlatform platform = null;
        try {
            Path home = dir.resolve("platform");
            Files.createDirectories(home);
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
            platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(Path.of("..").toAbsolutePath().normalize(), home)
                    .withAdvertisedAddress(bed.rootAddress()), extraArgs);
            NodeAgents agents = new NodeAgents(bed, dir, platform.kafkaBootstrapServers(), platform.joinTokenFile(),
                    System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
            MultiHostFixture fixture = new MultiHostFixture(dir, bed, platform, agents, cluster);
            agentsOn.forEach(agents::start);
            // the agents register on pgpilot.nodes: apply only once every node can take an instance
            agents.awaitRegistered(agentsOn, Duration.ofSeconds(90));
            return fixture;
        } catch (Exception | Error e) {
            if (platform != null) {
                platform.close();
            }
            bed.close();
            throw e;
        }
    }

    /**
     * Applies the test manifest ({@code multi-host-cluster.yaml}, 3 instances) under the fixture's
     * cluster name, waits until it is healthy with every replica streaming and returns instance -> host.
     */
    Map<String, String> applyCluster(Duration converge) throws java.io.IOException {
        String manifest = Files.readString(Path.of("src/test/resources/multi-host-cluster.yaml")).replace("name: mh", "name: " + cluster);
        int status = platform.apply(manifest, cluster);
        if (status != 201) {
            throw new AssertionError("applying " + cluster + " answered " + status);
        }
        platform.awaitHealthy(cluster, Duration.ofSeconds(300));
        probe.awaitHealthy(converge);
        Map<String, String> hosts = hosts();
        System.out.println("multi-host: " + cluster + " placed " + hosts);
        return hosts;
    }

    /** Stops {@code writer} (may be null) and then the fixture (may be null): an {@code @AfterAll}. */
    static void close(MultiHostFixture fixture, io.pgpilot.testkit.AckedWriter writer) {
        if (writer != null) {
            writer.stop();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    /** The node agent of {@code node} as a process inside its host (killed by the host's power loss; started again when power is back). */
    void startAgent(String node) {
        agents.start(node);
    }

    /** Where {@code instance} of the fixture's cluster lives on {@code node}'s disk (the node agent's home). */
    Path instanceDirectory(String node, String instance) {
        return dir.resolve(node).resolve("home").resolve("clusters").resolve(cluster).resolve(instance);
    }

    NetworkTestBed.Host hostAt(String address) {
        return bed.hosts().stream().filter(h -> h.address().equals(address)).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> instances() {
        Object rows = platform.status(cluster).get("instanceStatus");
        return rows == null ? List.of() : (List<Map<String, Object>>) rows;
    }

    /** Remembers where each instance is, returns instance -> host. */
    Map<String, String> hosts() {
        Map<String, String> hosts = new LinkedHashMap<>();
        for (Map<String, Object> row : instances()) {
            if (row.get("host") != null && row.get("port") != null) {
                hosts.put((String) row.get("name"), (String) row.get("host"));
                addresses.put((String) row.get("name"), row.get("host") + ":" + row.get("port"));
            }
        }
        return hosts;
    }

    /**
     * What a client inside {@code host} reaches through the cluster's {@code -rw} endpoint (on the
     * control plane's address): {@code pg_is_in_recovery()} of that server, "t" or "f". A password
     * file keeps the application's password off the command line.
     */
    String askedThroughRwFrom(NetworkTestBed.Host host) throws Exception {
        String rw = probe.rw();
        int colon = rw.lastIndexOf(':');
        Path pgpass = dir.resolve("rw-client.pgpass");
        Files.writeString(pgpass, "*:*:*:app:" + probe.secret("app", "password") + "\n");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        return bed.exec(host, "timeout", "10", "env", "PGPASSFILE=" + pgpass, "PGCONNECT_TIMEOUT=3", "psql", "-h", rw.substring(0, colon),
                "-p", rw.substring(colon + 1), "-U", "app", "-d", "app", "-At", "-c", "select pg_is_in_recovery()").strip();
    }

    /** Instances that answer and are not in recovery, asked directly at their node's address over TLS. */
    List<String> writablePrimaries() throws Exception {
        var login = new MultiHostSystem.Login("postgres", "postgres", probe.secret("superuser", "password"), true);
        List<String> primaries = new ArrayList<>();
        addresses.forEach((instance, address) -> {
            if (MultiHostSystem.inRecovery(address, login).filter(recovery -> !recovery).isPresent()) {
                primaries.add(instance);
            }
        });
        return primaries;
    }

    /**
     * A virtual thread that asks every instance every 200 ms and adds to {@code twoWritable} each
     * time more than one accepts writes, and to {@code wrote} each time {@code watched} (may be
     * null) does; interrupt it to stop.
     */
    Thread watchWritable(List<String> twoWritable, String watched, List<String> wrote) {
        return Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    List<String> writable = writablePrimaries();
                    if (writable.size() > 1) {
                        twoWritable.add(String.valueOf(writable));
                    }
                    if (watched != null && writable.contains(watched)) {
                        wrote.add(String.valueOf(writable));
                    }
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // the probe itself failed (a secret read): try again
                }
            }
        });
    }

    @Override
    public void close() {
        try {
            platform.close();
        } finally {
            bed.close();
        }
        if (allPassed && !failed) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException e) {
                System.err.println("multi-host: " + dir + " not removed: " + e.getMessage());
            }
        } else {
            System.err.println("multi-host: logs and data kept in " + dir);
        }
    }
}
