package io.pgpilot.system;

import io.pgpilot.support.metrics.MetricCatalog;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/prometheus/alerts.yml: valid for Prometheus ({@code promtool check rules}), behaving as its
 * unit tests in deploy/prometheus/tests say ({@code promtool test rules}), and using only exported metrics.
 */
class AlertRulesTest {

    static final Path DEPLOY = Path.of("../deploy/prometheus");
    static final String PROMTOOL = System.getenv().getOrDefault("PGPILOT_PROMTOOL", "/usr/bin/promtool");

    @Test
    void promtoolChecksTheRules() throws Exception {
        assertThat(promtool("check", "rules", "alerts.yml")).isZero();
    }

    @Test
    void promtoolUnitTestsPass() throws Exception {
        List<String> command = new ArrayList<>(List.of("test", "rules"));
        try (Stream<Path> tests = Files.list(DEPLOY.resolve("tests"))) {
            tests.filter(p -> p.toString().endsWith(".yml")).sorted().forEach(p -> command.add("tests/" + p.getFileName()));
        }
        assertThat(command).hasSizeGreaterThan(2);
        assertThat(promtool(command.toArray(String[]::new))).isZero();
    }

    @Test
    void everyRuleUsesOnlyExportedMetricsAndTheRequiredAlertsExist() throws Exception {
        JsonNode rules = new YAMLMapper().readTree(Files.readString(DEPLOY.resolve("alerts.yml")));
        List<String> alerts = new ArrayList<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String expr = rule.path("expr").asString();
                alerts.add(rule.path("alert").asString());
                DashboardsTest.assertExported("alert " + rule.path("alert").asString(), PromQlNames.of(expr), expr);
            }
        }
        assertThat(alerts).contains("PgpilotPrimaryDown", "PgpilotReplicationLagHigh", "PgpilotNoSyncStandby",
                "PgpilotWalArchivingFailing", "PgpilotBackupTooOld", "PgpilotFailoverHappened");
        assertThat(MetricCatalog.family("cnpg_pg_replication_lag_seconds")).isPresent();
    }

    static int promtool(String... args) throws Exception {
        assertThat(new File(PROMTOOL).canExecute()).as(PROMTOOL + " (Debian package prometheus, scripts/install-deps.sh)").isTrue();
        List<String> command = new ArrayList<>(List.of(PROMTOOL));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(DEPLOY.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        System.out.println("promtool " + String.join(" ", args) + ":\n" + output);
        assertThat(process.exitValue()).as(output).isZero();
        return process.exitValue();
    }
}
