package io.pgpilot.launcher;

import io.pgpilot.events.EventBus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A real single-node Kafka broker in KRaft mode, run as a child process from the classpath that
 * the kafka-runtime module wrote. Storage is formatted on first start and kept afterwards.
 */
public final class KafkaBroker implements AutoCloseable {

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final Placement host;
    private final String address;
    private Process process;

    /**
     * Somewhere other than this network namespace where the broker runs (e.g. a test bed's host):
     * its address, how a command is started there, and whether a port answers from inside it.
     */
    public interface Placement {
        String address();

        List<String> wrap(List<String> command);

        /** A TCP connect from inside the placement itself. */
        boolean listening(String address, int port);
    }

    public KafkaBroker(Path dataDir, int port, int controllerPort) {
        this(dataDir, port, controllerPort, null, "127.0.0.1");
    }

    /** In this (root) namespace on fixed ports, listening on and advertising {@code address} only. */
    public KafkaBroker(Path dataDir, int port, int controllerPort, String address) {
        this(dataDir, port, controllerPort, null, address);
    }

    private KafkaBroker(Path dataDir, int port, int controllerPort, Placement host, String address) {
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.host = host;
        this.address = address;
    }

    /**
     * A broker inside {@code placement}, listening on its address only, started through it (e.g. a
     * test-bed host, so the host's power loss, freeze and isolation hit it). Nothing outside reaches
     * it, so topics are created on first use (auto-create) instead of by {@link EventBus#ensureTopics}.
     */
    public static KafkaBroker startIn(Placement placement, Path dataDir) {
        KafkaBroker broker = new KafkaBroker(dataDir, FreePorts.next(), FreePorts.next(), placement, placement.address());
        broker.start();
        return broker;
    }

    /**
     * A broker in this (root) namespace listening on {@code address} only, e.g. the root side of a
     * network test bed's root link so the bed's hosts reach it.
     * Topics are created by {@link io.pgpilot.events.EventBus#ensureTopics}, as on loopback.
     */
    public static KafkaBroker startOn(String address, Path dataDir) {
        KafkaBroker broker = new KafkaBroker(dataDir, FreePorts.next(), FreePorts.next(), null, address);
        broker.start();
        return broker;
    }

    public static KafkaBroker startFresh(Path dataDir) {
        KafkaBroker broker = new KafkaBroker(dataDir, FreePorts.next(), FreePorts.next());
        broker.start();
        return broker;
    }

    public String bootstrapServers() {
        return address + ":" + port;
    }

    public KafkaBroker start() {
        try {
            Files.createDirectories(dataDir);
            Path logs = dataDir.resolve("logs");
            Path properties = dataDir.resolve("server.properties");
            Files.writeString(properties, String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.bootstrap.servers=" + address + ":" + controllerPort,
                    "listeners=PLAINTEXT://" + address + ":" + port + ",CONTROLLER://" + address + ":" + controllerPort,
                    "advertised.listeners=PLAINTEXT://" + address + ":" + port,
                    "controller.listener.names=CONTROLLER",
                    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                    "inter.broker.listener.name=PLAINTEXT",
                    "log.dirs=" + logs,
                    "num.partitions=3",
                    "offsets.topic.replication.factor=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "log.cleaner.backoff.ms=1000",
                    "auto.create.topics.enable=" + (host != null),
                    ""));
            if (!Files.exists(logs.resolve("meta.properties"))) {
                run(List.of("kafka.tools.StorageTool", "format", "-t", UUID.randomUUID().toString(), "-c",
                        properties.toString(), "--standalone"), Duration.ofSeconds(60));
            }
            ProcessBuilder broker = java(List.of("kafka.Kafka", properties.toString()));
            if (host != null) {
                broker.command(host.wrap(broker.command()));
            }
            process = broker.redirectOutput(dataDir.resolve("kafka.out").toFile()).start();
            Waits.until("Kafka on port " + port, Duration.ofSeconds(60), () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Kafka exited with " + process.exitValue() + ", see " + dataDir.resolve("kafka.out"));
                }
                return host == null ? FreePorts.isListening(address, port) : host.listening(address, port);
            });
            if (host == null) {
                EventBus.ensureTopics(bootstrapServers(), (short) 1);
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ProcessBuilder java(List<String> args) throws IOException {
        Path classpathFile = kafkaClasspathFile();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms128m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dlog4j2.level=WARN", "-Dkafka.logs.dir=" + dataDir.resolve("logs-app"),
                "-cp", Files.readString(classpathFile).trim()));
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true);
    }

    private void run(List<String> args, Duration timeout) throws IOException {
        Process tool = java(args).redirectOutput(dataDir.resolve("format.out").toFile()).start();
        try {
            if (!tool.waitFor(timeout.toSeconds(), java.util.concurrent.TimeUnit.SECONDS) || tool.exitValue() != 0) {
                tool.destroyForcibly();
                throw new IllegalStateException("Kafka storage format failed, see " + dataDir.resolve("format.out"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** target/kafka.classpath of the kafka-runtime module, found from the working directory upwards. */
    static Path kafkaClasspathFile() {
        String configured = System.getenv("PGPILOT_KAFKA_CLASSPATH");
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("kafka-runtime/target/kafka.classpath");
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("kafka-runtime/target/kafka.classpath not found: build the project first (mvn install)");
    }

    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
