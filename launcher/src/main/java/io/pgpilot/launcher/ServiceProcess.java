package io.pgpilot.launcher;

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
import java.util.concurrent.TimeUnit;

/** One pgpilot service (a Spring Boot jar) as a child process with its own log file. */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final int httpPort;
    /** Where its health is asked: the {@code --server.address} it was given, else loopback. */
    private final String address;
    private final Process process;
    private final Path log;
    private final java.time.Instant startedAt = java.time.Instant.now();

    private ServiceProcess(String name, String address, int httpPort, Process process, Path log) {
        this.name = name;
        this.address = address;
        this.httpPort = httpPort;
        this.process = process;
        this.log = log;
    }

    public static ServiceProcess start(String name, Path jar, int httpPort, List<String> args, Path logDir) {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " not found: build the project first (mvn install -DskipTests)");
        }
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    // small, fast-starting JVMs: the control plane is I/O bound
                    "-Xms32m", "-Xmx192m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-XX:CICompilerCount=1", "-Dspring.jmx.enabled=false",
                    "-jar", jar.toString(), "--server.port=" + httpPort));
            command.addAll(args);
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new ServiceProcess(name, boundAddress(args), httpPort, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code --server.address=} among the arguments (0.0.0.0 and none: 127.0.0.1). */
    static String boundAddress(List<String> args) {
        String address = "127.0.0.1";
        for (String arg : args) {
            if (arg.startsWith("--server.address=") && !arg.endsWith("=0.0.0.0") && !arg.endsWith("=")) {
                address = arg.substring("--server.address=".length());
            }
        }
        return address;
    }

    /** Resident memory in KiB from /proc (0 when gone). */
    public long rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    public String name() {
        return name;
    }

    public int httpPort() {
        return httpPort;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public java.time.Instant startedAt() {
        return startedAt;
    }

    /** The exit code; -1 while it runs. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    public void awaitHealthy(Duration timeout) {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            HttpRequest health = HttpRequest.newBuilder(URI.create("http://" + address + ":" + httpPort + "/actuator/health"))
                    .timeout(Duration.ofSeconds(2)).build();
            Waits.until(name + " to report healthy", timeout, () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue() + ", see " + log);
                }
                try {
                    return http.send(health, HttpResponse.BodyHandlers.ofString()).body().contains("\"UP\"");
                } catch (IOException e) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
        }
    }

    /** SIGTERM, so that Spring shuts down gracefully (instances and HAProxy are stopped by their owners). */
    public void stop(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** kill -9, for tests of crashes. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }
}
