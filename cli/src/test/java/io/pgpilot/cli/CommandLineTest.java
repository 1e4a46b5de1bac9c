package io.pgpilot.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Argument parsing, exit codes and connection settings, without a gateway. */
class CommandLineTest {

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Pgpilot.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void usageErrorsExitWith2() {
        assertThat(run().code()).isEqualTo(Exit.USAGE);
        assertThat(run("status").err()).contains("Missing required parameter: 'CLUSTER'");
        assertThat(run("nonsense").code()).isEqualTo(Exit.USAGE);
        assertThat(run("restore", "pc", "--target-time").code()).isEqualTo(Exit.USAGE);
        Run badName = run("status", "Bad_Name", "--server", "http://127.0.0.1:9");
        assertThat(badName.code()).isEqualTo(Exit.USAGE);
        assertThat(badName.err()).contains("'Bad_Name' is not a cluster name");
        assertThat(run("--help").code()).isZero();
        assertThat(run("--help").out()).contains("restore", "psql", "Exit codes");
    }

    @Test
    void theGatewayNotReachableExitsWith6(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("t"), "abcdefgh12345678");
        Run r = run("get", "--server", "http://127.0.0.1:9", "--token-file", token.toString());
        assertThat(r.code()).isEqualTo(Exit.UNAVAILABLE);
        assertThat(r.err()).contains("not reachable").doesNotContain("abcdefgh12345678");
    }

    @Test
    void restoreRefusesTheSourceAsTarget(@TempDir Path dir) throws Exception {
        Path token = Files.writeString(dir.resolve("t"), "abcdefgh12345678");
        Run r = run("restore", "pc", "--to", "pc", "--server", "http://127.0.0.1:9", "--token-file", token.toString());
        assertThat(r.code()).isEqualTo(Exit.USAGE);
        assertThat(r.err()).contains("never overwrites its source");
        assertThat(run("restore", "pc", "--timezone", "UTC", "--token-file", token.toString()).err()).contains("only with --target-time");
    }

    @Test
    void connectionSettingsComeFromOptionsEnvironmentOrTheHome(@TempDir Path dir) throws Exception {
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve("secrets"));
        Files.writeString(home.resolve("secrets/api-token-admin"), "fromthehome-123456\n");
        var fromHome = Connection.resolve(null, null, Map.of("PGPILOT_HOME", home.toString()), false, dir);
        assertThat(fromHome.server()).isEqualTo("http://127.0.0.1:8080");
        assertThat(fromHome.token()).isEqualTo("fromthehome-123456");
        assertThat(fromHome.toString()).doesNotContain("fromthehome");
        var fromEnv = Connection.resolve(null, null, Map.of("PGPILOT_HOME", home.toString(), "PGPILOT_TOKEN", "fromtheenv-123456",
                "PGPILOT_SERVER", "http://gw.example:8443/"), false, dir);
        assertThat(fromEnv.token()).isEqualTo("fromtheenv-123456");
        assertThat(fromEnv.server()).isEqualTo("http://gw.example:8443");
        Path file = Files.writeString(dir.resolve("tok"), "fromthefile-123456");
        assertThat(Connection.resolve("https://other:1", file, Map.of("PGPILOT_TOKEN", "fromtheenv-123456"), false, dir).token())
                .isEqualTo("fromthefile-123456");
        assertThat(Connection.home(Map.of(), true, dir)).isEqualTo(Path.of("/var/lib/pgpilot"));
        assertThat(Connection.home(Map.of(), false, dir)).isEqualTo(dir.resolve(".local/share/pgpilot"));
        assertThatThrownBy(() -> Connection.resolve("ftp://x", file, Map.of(), false, dir)).hasMessageContaining("--server");
        assertThatThrownBy(() -> Connection.resolve(null, null, Map.of("PGPILOT_TOKEN", "has space in it"), false, dir))
                .hasMessageContaining("PGPILOT_TOKEN").hasMessageNotContaining("has space");
    }

    @Test
    void exitCodesForGatewayStatuses() {
        assertThat(Exit.forStatus(401)).isEqualTo(Exit.AUTH);
        assertThat(Exit.forStatus(403)).isEqualTo(Exit.AUTH);
        assertThat(Exit.forStatus(404)).isEqualTo(Exit.NOT_FOUND);
        assertThat(Exit.forStatus(409)).isEqualTo(Exit.REFUSED);
        assertThat(Exit.forStatus(400)).isEqualTo(Exit.REFUSED);
        assertThat(Exit.forStatus(503)).isEqualTo(Exit.UNAVAILABLE);
        assertThat(Api.errorMessage("{\"error\":\"cluster pc already exists\",\"violations\":[]}")).isEqualTo("cluster pc already exists");
        assertThat(Api.errorMessage("<html>oops</html>")).isEqualTo("<html>oops</html>");
    }

    @Test
    void routesFillTheirVariablesInOrder() {
        assertThat(Route.PROMOTE.path("pc", "pc-2")).isEqualTo("/api/v1/clusters/pc/instances/pc-2/promote");
        assertThat(Route.GET_CLUSTER.path("a/b")).isEqualTo("/api/v1/clusters/a%2Fb");
        assertThatThrownBy(() -> Route.PROMOTE.path("pc")).isInstanceOf(IllegalArgumentException.class);
        assertThat(EventsCommand.query("pc", "failover.*", true)).isEqualTo("/api/v1/events?cluster=pc&type=failover.*&from=beginning");
    }

    @Test
    void passfileLinesEscapeTheirSeparators() {
        assertThat(PsqlCommand.passLine("127.0.0.1", "5432", "app", "app", "a:b\\c")).isEqualTo("127.0.0.1:5432:app:app:a\\:b\\\\c\n");
    }

    @Test
    void manifestsAreSplitValidatedAndClustersComeFirst(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a-pooler.yaml"), """
                apiVersion: postgresql.cnpg.io/v1
                kind: Pooler
                metadata:
                  name: db-pooler-rw
                spec:
                  cluster: {name: db}
                  instances: 1
                  type: rw
                  pgbouncer: {poolMode: transaction}
                """);
        Files.writeString(dir.resolve("b.yaml"), """
                # two clusters in one file
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: db}
                spec: {instances: 2}
                ---
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: db2}
                spec: {instances: 1}
                """);
        Files.writeString(dir.resolve("notes.txt"), "not a manifest");
        var docs = Manifests.read(java.util.List.of(dir));
        assertThat(docs).extracting(Manifests.Document::name).containsExactly("db", "db2", "db-pooler-rw");
        Files.writeString(dir.resolve("c.yaml"), "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: bad}\nspec: {instances: 0}\n");
        assertThatThrownBy(() -> Manifests.read(java.util.List.of(dir))).hasMessageContaining("c.yaml").hasMessageContaining("spec.instances")
                .hasMessageContaining("nothing was applied");
        Files.writeString(dir.resolve("c.yaml"), "apiVersion: postgresql.cnpg.io/v1\nkind: Secret\nmetadata: {name: s}\n");
        assertThatThrownBy(() -> Manifests.read(java.util.List.of(dir))).hasMessageContaining("kind 'Secret' is not supported");
    }

    @Test
    void backupManifestsAreAppliedAfterTheirCluster() throws Exception {
        Path dir = Files.createTempDirectory("cli-backups");
        Files.writeString(dir.resolve("a.yaml"), """
                apiVersion: postgresql.cnpg.io/v1
                kind: Backup
                metadata: {name: before-upgrade}
                spec: {cluster: {name: db}, target: primary}
                ---
                apiVersion: postgresql.cnpg.io/v1
                kind: ScheduledBackup
                metadata: {name: db-daily}
                spec: {cluster: {name: db}, schedule: "0 0 2 * * *", immediate: true}
                """);
        Files.writeString(dir.resolve("b.yaml"), "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: db}\nspec: {instances: 1}\n");
        var docs = Manifests.read(java.util.List.of(dir));
        assertThat(docs).extracting(d -> d.kind().label + "/" + d.name())
                .containsExactly("cluster/db", "scheduledbackup/db-daily", "backup/before-upgrade");
        Files.writeString(dir.resolve("c.yaml"), """
                apiVersion: postgresql.cnpg.io/v1
                kind: ScheduledBackup
                metadata: {name: broken}
                spec: {cluster: {name: db}, schedule: "0 2 * * *"}
                """);
        assertThatThrownBy(() -> Manifests.read(java.util.List.of(dir))).hasMessageContaining("c.yaml").hasMessageContaining("spec.schedule")
                .hasMessageContaining("nothing was applied");
        assertThat(Manifests.read(java.util.List.of(Path.of("../examples/scheduled-backup.yaml"))))
                .extracting(Manifests.Document::name).containsExactly("postgres-cluster-daily");
    }
}
