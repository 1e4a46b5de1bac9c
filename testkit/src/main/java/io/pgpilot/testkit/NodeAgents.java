package io.pgpilot.testkit;

import io.pgpilot.launcher.Waits;
import io.pgpilot.events.KeyedView;
import io.pgpilot.events.KeyedViewFeed;
import io.pgpilot.events.NodeRecord;
import io.pgpilot.events.Topics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * pgpilot's node agents on the hosts of a {@link NetworkTestBed}: one {@code NodeAgentMain} process per
 * host, started inside the host's namespace (so a power loss of the host kills it with everything
 * else), with its own home under {@code dir/<host>/home}, a copy of the platform's join token and
 * PostgreSQL 15 from Debian. Starting an agent again after a power loss reuses its home, as a machine
 * booting again would. Used by the multi-host system test and the multi-host benchmark.
 */
public final class NodeAgents {

    private static final String MAIN = "io.pgpilot.node.NodeAgentMain";

    private final NetworkTestBed bed;
    private final Path dir;
    private final String kafkaBootstrapServers;
    private final Path joinTokenFile;
    private final String classpath;

    /**
     * @param dir       where each host's agent gets a directory (home, config, token copy, agent.log)
     * @param classpath the node agent's classpath: the test's own, or {@link #builtClasspath} of a repository
     */
    public NodeAgents(NetworkTestBed bed, Path dir, String kafkaBootstrapServers, Path joinTokenFile, String classpath) {
        this.bed = bed;
        this.dir = dir;
        this.kafkaBootstrapServers = kafkaBootstrapServers;
        this.joinTokenFile = joinTokenFile;
        this.classpath = classpath;
    }

    /** The node agent module as built in {@code repository} ({@code mvn install}): its classes and its runtime dependencies. */
    public static String builtClasspath(Path repository) {
        Path module = repository.resolve("node-agent").resolve("target");
        Path dependencies = module.resolve("launcher.classpath");
        if (!Files.exists(dependencies)) {
            throw new IllegalStateException(dependencies + " not found: build the project first (mvn install -DskipTests)");
        }
        try {
            return module.resolve("classes") + java.io.File.pathSeparator + Files.readString(dependencies).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the agent of host {@code node} (again, after a power loss: same home, the data is still there). */
    public Process start(String node) {
        NetworkTestBed.Host host = bed.host(node);
        Path nodeDir = dir.resolve(node);
        try {
            Files.createDirectories(nodeDir.resolve("home"));
            Files.setPosixFilePermissions(nodeDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(nodeDir.resolve("home"), PosixFilePermissions.fromString("rwxr-xr-x"));
            Path token = nodeDir.resolve("join-token");
            Files.copy(joinTokenFile, token, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
            Path config = nodeDir.resolve("agent.properties");
            Files.writeString(config, String.join("\n",
                    "name=" + node,
                    "address=" + host.address(),
                    "kafka-bootstrap-servers=" + kafkaBootstrapServers,
                    "join-token-file=" + token,
                    "home=" + nodeDir.resolve("home"),
                    "pg-bin-directory=/usr/lib/postgresql/15/bin",
                    "heartbeat-interval=1s",
                    ""));
            return bed.start(host, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xms32m", "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", classpath, MAIN, config.toString()), nodeDir.resolve("agent.log"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the node agent of " + node, e);
        }
    }

    /** Returns once every named node has registered on {@code pgpilot.nodes} (a cluster applied then gets one instance per node). */
    public void awaitRegistered(List<String> nodes, Duration timeout) {
        KeyedView<NodeRecord> registered = new KeyedView<>(NodeRecord.class);
        try (KeyedViewFeed feed = new KeyedViewFeed(kafkaBootstrapServers, "nodes-" + ProcessHandle.current().pid(),
                Map.of(Topics.NODES, registered)).start()) {
            Waits.until("nodes " + nodes + " registered", timeout, () -> registered.all().keySet().containsAll(nodes));
        }
    }
}
