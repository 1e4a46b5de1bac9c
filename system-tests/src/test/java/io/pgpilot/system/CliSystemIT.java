package io.pgpilot.system;

import io.pgpilot.cli.Exit;
import io.pgpilot.cli.Route;
import io.pgpilot.events.Json;
import io.pgpilot.launcher.LocalPlatform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code pgpilot} command line against the whole platform (one start for every CLI check):
 * the shipped {@code ./pgpilot} script is run as a process for each command, with the server and
 * home from the environment as a user would. Checks the exit codes, the printed text (no password
 * or token ever printed), a restore in CloudNativePG's exact syntax ({@code --backup
 * <cluster>-<day> --target-time "YYYY-MM-DD HH:MM:SS"}) that has exactly the rows committed
 * before the target, the progress bar on a real terminal (tmux), and that every route the CLI
 * uses is in the gateway's OpenAPI description with its success code and error body.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliSystemIT {

    static final Path SCRIPT = Path.of("..", "pgpilot").toAbsolutePath().normalize();
    static final DateTimeFormatter SEED = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    static Path home;
    static Path work;
    static LocalPlatform platform;
    static ClusterProbe cli;
    /** Everything any command printed, checked at the end for secrets. */
    static final List<String> printed = new CopyOnWriteArrayList<>();
    static String restored;

    record Result(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    @BeforeAll
    static void startPlatform() throws Exception {
        // a short home: PostgreSQL's Unix socket paths under it are limited to 107 characters (the CLI's restore names fit it)
        home = Files.createTempDirectory("pc");
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        work = Files.createTempDirectory("pgpilot-cli-work");
        platform = LocalPlatform.start(LocalPlatform.Settings.ephemeral(Path.of("..").toAbsolutePath().normalize(), home), List.of(),
                LocalPlatform.ObjectStore.ephemeral());
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
    }

    static Result pgpilot(String... args) throws Exception {
        return pgpilot(Map.of(), args);
    }

    static Result pgpilot(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
        builder.environment().put("PGPILOT_SERVER", platform.gatewayUrl());
        builder.environment().put("PGPILOT_HOME", home.toString());
        builder.environment().remove("PGPILOT_TOKEN");
        builder.environment().putAll(env);
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("pgpilot " + args[0] + " did not end");
        }
        Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        printed.add(result.all());
        System.out.printf("$ pgpilot %s -> %d%n%s%s", String.join(" ", args), result.code(), result.out(), result.err());
        return result;
    }

    @Test
    @Order(1)
    void applyAFolderThenStatusGetAndTheErrorsOfAMistake() throws Exception {
        Path manifests = Files.createDirectories(work.resolve("manifests"));
        Files.copy(Path.of("src/test/resources/cli/cluster.yaml"), manifests.resolve("cluster.yaml"));
        Files.copy(Path.of("src/test/resources/cli/pooler.yaml"), manifests.resolve("pooler.yaml"));
        Result applied = pgpilot("apply", "-f", manifests.toString());
        assertThat(applied.code()).as(applied.err()).isZero();
        assertThat(applied.out()).contains("cluster/cli created", "pooler/cli-pooler-rw created");
        platform.awaitHealthy("cli", Duration.ofSeconds(180));
        cli = new ClusterProbe(platform, home, "cli");

        Result again = pgpilot("apply", "-f", manifests.resolve("cluster.yaml").toString());
        assertThat(again.out()).contains("cluster/cli configured");

        Result status = pgpilot("status", "cli");
        assertThat(status.code()).isZero();
        assertThat(status.out()).contains("Cluster Summary", "Cluster in healthy state", "Primary instance:", "cli-1", "Timeline:",
                "cli-rw 127.0.0.1:", "Continuous Backup status", "WAL archiving:", "Instances", "cli-2", "replica", "streaming", "Poolers",
                "cli-pooler-rw");
        Map<?, ?> json = Json.read(pgpilot("status", "cli", "-o", "json").out(), Map.class);
        assertThat(((Map<?, ?>) json.get("cluster")).get("currentPrimary")).isEqualTo("cli-1");
        assertThat(pgpilot("status", "cli", "-o", "yaml").out()).contains("currentPrimary: \"cli-1\"").contains("poolers:");
        assertThat(pgpilot("get").out()).contains("NAME", "cli", "Cluster in healthy state");
        assertThat(pgpilot("get", "poolers").out()).contains("cli-pooler-rw", "cli");

        // mistakes: exit codes and the gateway's own message
        Result missing = pgpilot("status", "nope");
        assertThat(missing.code()).isEqualTo(Exit.NOT_FOUND);
        assertThat(missing.err()).contains("error:", "404", "nope");
        Result badToken = pgpilot(Map.of("PGPILOT_TOKEN", "wrong-token-wrong-token-wrong"), "get");
        assertThat(badToken.code()).isEqualTo(Exit.AUTH);
        assertThat(badToken.err()).contains("401").doesNotContain("wrong-token");
        Result viewer = pgpilot("delete", "cli", "--token-file", home.resolve("secrets/api-token-viewer").toString());
        assertThat(viewer.code()).isEqualTo(Exit.AUTH);
        assertThat(viewer.err()).contains("403", "role viewer may not DELETE");
        Path invalid = Files.writeString(work.resolve("invalid.yaml"), Files.readString(manifests.resolve("cluster.yaml"))
                .replace("name: cli", "name: cli-other").replace("instances: 2", "instances: 0"));
        Result refused = pgpilot("apply", "-f", invalid.toString());
        assertThat(refused.code()).isEqualTo(Exit.REFUSED);
        assertThat(refused.err()).contains("spec.instances", "nothing was applied");
        assertThat(platform.send("GET", "/api/v1/clusters/cli-other", null).statusCode()).isEqualTo(404);
        Result unreachable = pgpilot(Map.of("PGPILOT_SERVER", "http://127.0.0.1:9"), "get");
        assertThat(unreachable.code()).isEqualTo(Exit.UNAVAILABLE);
    }

    @Test
    @Order(2)
    void psqlOnTheRightEndpointWithoutShowingThePassword() throws Exception {
        Result created = pgpilot("psql", "cli", "--", "-v", "ON_ERROR_STOP=1", "-c", "CREATE TABLE rows (id int PRIMARY KEY)", "-c",
                "INSERT INTO rows VALUES (1)");
        assertThat(created.code()).as(created.err()).isZero();
        Result onPrimary = pgpilot("psql", "cli", "--", "-At", "-c", "SELECT pg_is_in_recovery(), current_user, inet_server_port()");
        assertThat(onPrimary.out().strip()).startsWith("f|app|");
        Result onReplica = pgpilot("psql", "cli", "--replica", "--", "-At", "-c", "SELECT pg_is_in_recovery()");
        assertThat(onReplica.out().strip()).isEqualTo("t");
        Result failing = pgpilot("psql", "cli", "--", "-c", "SELECT * FROM no_such_table", "-v", "ON_ERROR_STOP=1");
        assertThat(failing.code()).as("psql's own exit code").isNotZero();
        Result logs = pgpilot("logs", "cli", "cli-1", "--tail", "200");
        assertThat(logs.code()).as(logs.err()).isZero();
        assertThat(logs.out()).contains("[cli-1] ", "relation \"no_such_table\" does not exist");
        assertThat(pgpilot("logs", "cli", "cli-9").code()).isEqualTo(Exit.NOT_FOUND);
        try (var leftovers = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(leftovers.filter(p -> p.getFileName().toString().startsWith("pgpilot-psql"))
                    .filter(p -> p.toFile().lastModified() > Instant.now().minusSeconds(600).toEpochMilli()).toList())
                    .as("the passfile is deleted when psql ends").isEmpty();
        }
    }

    @Test
    @Order(3)
    void backupWithAProgressBarOnATerminalThenARestoreInTheSeedsSyntax() throws Exception {
        Result backup = pgpilot("backup", "cli");
        assertThat(backup.code()).as(backup.err()).isZero();
        assertThat(backup.out()).contains("backup ", "started from", "] 100% completed", "completed:");
        List<Map<String, Object>> backups = list(pgpilot("backups", "cli", "-o", "json").out());
        Map<String, Object> done = backups.stream().filter(b -> "completed".equals(b.get("status"))).findFirst().orElseThrow();
        String day = "cli-" + Instant.parse((String) done.get("startedAt")).atZone(ZoneOffset.UTC).toLocalDate();
        assertThat(pgpilot("backups", "cli").out()).contains((String) done.get("backupId"), day, "completed");

        // rows 2 and 3 committed before the target second, rows 4 and 5 after it
        Instant committed = null;
        for (int id = 2; id <= 3; id++) {
            committed = insert(id);
        }
        Instant target = committed.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(target.plusMillis(100)));
        insert(4);
        insert(5);
        String last = cli.switchWal();
        await().atMost(Duration.ofSeconds(60)).until(() -> cli.archived(last));

        String when = SEED.format(target);
        // the printed, predictable name: cli-pitr-<target>, "cli" shortened if the home's socket paths need it
        restored = io.pgpilot.cli.Restores.newClusterName("cli", target, (String) done.get("backupId"),
                io.pgpilot.cli.Restores.maxClusterName(home));
        assertThat(restored).endsWith("-pitr-" + DateTimeFormatter.ofPattern("uuuuMMdd-HHmmss").withZone(ZoneOffset.UTC).format(target));
        Result restore = pgpilot("restore", "cli", "--backup", day, "--target-time", when);
        assertThat(restore.code()).as(restore.err()).isZero();
        assertThat(restore.out()).contains("restoring cli backup " + done.get("backupId") + " to " + target + " into the new cluster " + restored,
                "cluster " + restored + " is healthy");
        Result rows = pgpilot("psql", restored, "--", "-At", "-c", "SELECT array_agg(id ORDER BY id) FROM rows");
        assertThat(rows.out().strip()).as("exactly the rows committed before " + when + " UTC").isEqualTo("{1,2,3}");
        assertThat(pgpilot("psql", "cli", "--", "-At", "-c", "SELECT count(*) FROM rows").out().strip()).as("the source untouched").isEqualTo("5");

        Result tooLong = pgpilot("restore", "cli", "--to", "cli-restored-with-a-name-much-too-long", "--target-time", when);
        assertThat(tooLong.code()).isEqualTo(Exit.USAGE);
        assertThat(tooLong.err()).contains("Unix socket path limit");
        Result overwrite = pgpilot("restore", "cli", "--to", "cli", "--target-time", when);
        assertThat(overwrite.code()).isEqualTo(Exit.USAGE);
        assertThat(overwrite.err()).contains("never overwrites its source");
        Result again = pgpilot("restore", "cli", "--backup", day, "--target-time", when);
        assertThat(again.code()).as("the predictable name exists now: refused, nothing changed").isEqualTo(Exit.REFUSED);
        assertThat(again.err()).contains("409", "already exists");
        Result noSuchDay = pgpilot("restore", "cli", "--backup", "cli-2001-01-01", "--target-time", when);
        assertThat(noSuchDay.code()).isEqualTo(Exit.NOT_FOUND);
        assertThat(noSuchDay.err()).contains("no completed backup of cli started on 2001-01-01");
    }

    @Test
    @Order(4)
    void theProgressBarRedrawsInPlaceOnATerminal() throws Exception {
        String session = "pgpilot-cli-" + ProcessHandle.current().pid();
        Path log = work.resolve("tmux-exit");
        String command = "PGPILOT_SERVER=" + platform.gatewayUrl() + " PGPILOT_HOME=" + home + " " + SCRIPT + " backup cli; echo EXIT=$? > "
                + log + "; read";
        run("tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "20", "bash", "-c", command);
        try {
            await().atMost(Duration.ofMinutes(3)).until(() -> Files.exists(log) && Files.readString(log).contains("EXIT="));
            String pane = run("tmux", "capture-pane", "-p", "-t", session);
            printed.add(pane);
            System.out.println(pane);
            assertThat(Files.readString(log).strip()).isEqualTo("EXIT=0");
            assertThat(pane).contains("] 100% completed", "completed:");
            assertThat(pane.lines().filter(l -> l.contains("%")).count()).as("one bar line, redrawn in place").isEqualTo(1);
        } finally {
            run("tmux", "kill-session", "-t", session);
        }
    }

    @Test
    @Order(5)
    void switchoverPromoteFenceUnfenceRestart() throws Exception {
        Result switchover = pgpilot("switchover", "cli");
        assertThat(switchover.code()).as(switchover.err()).isZero();
        assertThat(switchover.out()).contains("switchover of cli to cli-2 accepted");
        await().atMost(Duration.ofSeconds(60)).until(() -> "cli-2".equals(platform.status("cli").get("currentPrimary")));
        platform.awaitHealthy("cli", Duration.ofSeconds(120));
        assertThat(pgpilot("promote", "cli", "cli-1").out()).contains("promotion of cli-1 accepted");
        await().atMost(Duration.ofSeconds(60)).until(() -> "cli-1".equals(platform.status("cli").get("currentPrimary")));
        platform.awaitHealthy("cli", Duration.ofSeconds(120));

        assertThat(pgpilot("fence", "cli", "cli-2").code()).isZero();
        await().atMost(Duration.ofSeconds(60)).until(() -> pgpilot("status", "cli").out().lines()
                .anyMatch(l -> l.startsWith("cli-2") && l.contains("fenced")));
        assertThat(pgpilot("unfence", "cli", "cli-2").code()).isZero();
        platform.awaitHealthy("cli", Duration.ofSeconds(120));
        Result unknown = pgpilot("fence", "cli", "cli-7");
        assertThat(unknown.code()).isEqualTo(Exit.NOT_FOUND);
        assertThat(unknown.err()).contains("no instance named 'cli-7'");

        Result restart = pgpilot("restart", "cli");
        assertThat(restart.code()).isZero();
        assertThat(restart.out()).contains("rolling restart of cli requested");
        await().atMost(Duration.ofSeconds(180)).until(() -> pgpilot("events", "cli", "--type", "rollout.completed", "--idle", "1").out()
                .contains("rollout.completed  cli"));
        platform.awaitHealthy("cli", Duration.ofSeconds(120));
    }

    @Test
    @Order(6)
    void eventsHistoryAndFollow() throws Exception {
        Result history = pgpilot("events", "cli");
        assertThat(history.code()).isZero();
        assertThat(history.out()).contains("cluster.accepted  cli", "backup.completed  cli", "rollout.completed  cli");

        ProcessBuilder builder = new ProcessBuilder(SCRIPT.toString(), "events", "cli", "-f", "--from-beginning").redirectErrorStream(true);
        builder.environment().put("PGPILOT_SERVER", platform.gatewayUrl());
        builder.environment().put("PGPILOT_HOME", home.toString());
        Path out = work.resolve("follow.txt");
        Process follow = builder.redirectOutput(out.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(out).contains("rollout.completed"));
            // an event that happens while following: a new backup, known by its id
            Result backup = pgpilot("backup", "cli", "--no-wait");
            String id = backup.out().replaceAll("(?s).*backup ([0-9T]{15}) of.*", "$1");
            await().atMost(Duration.ofSeconds(120)).until(() -> Files.readString(out).lines()
                    .anyMatch(l -> l.contains("backup.completed  cli") && l.contains(id)));
            assertThat(follow.isAlive()).as("still following").isTrue();
            printed.add(Files.readString(out));
        } finally {
            follow.destroy(); // the process this test started
            follow.waitFor(10, TimeUnit.SECONDS);
        }
        platform.awaitHealthy("cli", Duration.ofSeconds(120));
    }

    @Test
    @Order(7)
    void aReportWithoutSecretsAndDelete() throws Exception {
        Path zip = work.resolve("report.zip");
        Result report = pgpilot("report", "cli", "--output", zip.toString());
        assertThat(report.code()).as(report.err()).isZero();
        assertThat(Files.getPosixFilePermissions(zip)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Map<String, String> entries = new HashMap<>();
        try (ZipFile file = new ZipFile(zip.toFile())) {
            file.stream().forEach(e -> {
                try {
                    entries.put(e.getName(), new String(file.getInputStream(e).readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            });
        }
        assertThat(entries).containsKeys("report.json", "clusters.json", "poolers.json", "cli/status.json", "cli/status.txt", "cli/events.txt",
                "cli/config/cli-1/postgresql.conf");
        assertThat(entries.get("cli/events.txt")).contains("cluster.accepted");
        String replicaConf = entries.getOrDefault("cli/config/cli-2/postgresql.auto.conf", "") + entries.getOrDefault("cli/config/cli-2/pgpilot.conf", "")
                + entries.getOrDefault("cli/config/cli-2/postgresql.conf", "");
        assertThat(replicaConf).as("the replica's primary_conninfo is in the bundle, its password not").contains("primary_conninfo");
        String everything = String.join("\n", entries.values());
        for (String secret : secrets()) {
            assertThat(everything).as("the report holds no secret").doesNotContain(secret);
        }

        Result deleted = pgpilot("delete", restored);
        assertThat(deleted.out()).contains("cluster/" + restored + " deleting");
        assertThat(pgpilot("status", restored).code()).isEqualTo(Exit.NOT_FOUND);
        assertThat(pgpilot("delete", "pooler", "cli-pooler-rw").out()).contains("pooler/cli-pooler-rw deleting");
    }

    @Test
    @Order(8)
    void nothingPrintedHeldASecret() throws Exception {
        String all = String.join("\n", printed);
        assertThat(all).isNotEmpty();
        for (String secret : secrets()) {
            assertThat(all).doesNotContain(secret);
        }
    }

    /** Every route the CLI calls is described, with the status it expects and the shared error body. */
    @Test
    @Order(9)
    void everyRouteTheCliUsesIsInTheOpenApiDescription() throws Exception {
        var docs = platform.gateway().send("GET", "/v3/api-docs", null, null);
        assertThat(docs.statusCode()).isEqualTo(200);
        Map<?, ?> paths = (Map<?, ?>) Json.read(docs.body(), Map.class).get("paths");
        for (Route route : Route.values()) {
            Map<?, ?> operation = (Map<?, ?>) ((Map<?, ?>) paths.get(route.template)).get(route.method.toLowerCase());
            assertThat(operation).as(route.method + " " + route.template).isNotNull();
            @SuppressWarnings("unchecked") Map<String, Object> responses = (Map<String, Object>) operation.get("responses");
            assertThat(responses).as(route.name()).containsKey(String.valueOf(route.success));
            for (String code : route.template.contains("{") ? List.of("400", "401", "403", "404") : List.of("400", "401", "403")) {
                assertThat(Json.write(responses.get(code))).as(route.name() + " " + code).contains("#/components/schemas/Error");
            }
        }
    }

    static List<String> secrets() throws Exception {
        List<String> secrets = new ArrayList<>();
        for (String kind : List.of("app", "superuser", "replication")) {
            secrets.add(cli.secret(kind, "password"));
        }
        for (String role : List.of("admin", "operator", "viewer")) {
            secrets.add(Files.readString(home.resolve("secrets/api-token-" + role)).strip());
        }
        return secrets;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(String json) {
        return (List<Map<String, Object>>) (List<?>) Json.read(json, List.class);
    }

    static Instant insert(int id) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + cli.rw() + "/app", "app", cli.secret("app", "password"));
             Statement st = c.createStatement()) {
            st.execute("INSERT INTO rows VALUES (" + id + ")");
            try (ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
                rs.next();
                return rs.getTimestamp(1).toInstant();
            }
        }
    }

    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
