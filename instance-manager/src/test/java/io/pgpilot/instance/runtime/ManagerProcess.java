package io.pgpilot.instance.runtime;

import io.pgpilot.events.Heartbeat;
import io.pgpilot.events.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** The real instance manager main as a child JVM (-Xmx64m) with its own config file and log; test support. */
final class ManagerProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int httpPort;

    private ManagerProcess(Process process, Path log, int httpPort) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
    }

    /** Writes {@code <dir>/manager.properties} and {@code <dir>/superuser.json} (0600) and starts the main. */
    static ManagerProcess start(Path dir, Map<String, String> settings, int httpPort) {
        try {
            Path config = writeConfig(dir, settings, httpPort);
            Path log = dir.resolve("manager.log");
            Process process = new ProcessBuilder(command(config)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new ManagerProcess(process, log, httpPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The java command line of the main (the test classpath, -Xmx64m); no secret in it. */
    static List<String> command(Path config) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), InstanceManagerMain.class.getName(), config.toString());
    }

    static Path writeConfig(Path dir, Map<String, String> settings, int httpPort) {
        try {
            Files.createDirectories(dir);
            Path credentials = dir.resolve("superuser.json");
            Files.writeString(credentials, "{\"username\":\"postgres\",\"password\":\"unused-with-trust\"}");
            Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
            Map<String, String> values = new TreeMap<>(settings);
            values.put("credentials-file", credentials.toString());
            values.put("http-port", String.valueOf(httpPort));
            StringBuilder text = new StringBuilder();
            values.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            Path config = dir.resolve("manager.properties");
            Files.writeString(config, text);
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** HTTP status of a check, -1 while nothing answers. */
    int status(String path) {
        return get(path).statusCode();
    }

    /** The latest heartbeat the manager serves with its checks. */
    Heartbeat latest() {
        return Json.read(get("/health").body(), Heartbeat.class);
    }

    private HttpResponse<String> get(String path) {
        if (!process.isAlive()) {
            throw new IllegalStateException("instance manager exited with " + process.exitValue() + ", see " + log);
        }
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
