package io.pgpilot.gateway;

import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.ManifestException;
import io.pgpilot.model.ManifestValidator;
import io.pgpilot.model.Names;
import io.pgpilot.model.PostgresParameters;
import io.pgpilot.testkit.Fuzz;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzing of everything the gateway parses from a request (issue 10): manifests (whole, mutated,
 * parameters, recovery targets and backup ids), event filters and Last-Event-ID. Each input is
 * accepted, or refused with the exception the gateway answers 4xx for, naming the field — never
 * anything else (a 500). {@link Fuzz}: 1000 tries each by default; longer runs in docs/security.md.
 */
class InputFuzzTest {

    static final String REFERENCE = read("../examples/postgres-cluster.yaml");
    static final String YAML_NOISE = " :-[]{}&*!|>'\"#\n\t,0123456789abcxyzAZ_.\\/%@`";

    static String read(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What {@link ApiErrors} turns into a 400 with a violation list; anything else would be a 500. */
    static void acceptedOrRefusedNamingAField(String text) {
        try {
            ClusterDefinition d = ManifestValidator.parseAndValidate(text);
            assertThat(d.name()).matches(Names.CLUSTER);
            assertThat(d.instances()).isBetween(1, ManifestValidator.MAX_INSTANCES);
            d.parameters().forEach((k, v) -> assertThat(PostgresParameters.refusal(k, v)).isEmpty());
        } catch (ManifestException e) {
            assertThat(e.violations()).isNotEmpty().allSatisfy(v -> assertThat(v.field()).isNotBlank().doesNotContain("\n"));
        }
    }

    @Test
    void arbitraryText() {
        Fuzz.check("manifest text", r -> Fuzz.any(r, 300), InputFuzzTest::acceptedOrRefusedNamingAField);
        Fuzz.check("manifest yaml-ish", r -> Fuzz.string(r, YAML_NOISE, 300), InputFuzzTest::acceptedOrRefusedNamingAField);
    }

    @Test
    void mutatedReferenceManifest() {
        Fuzz.check("mutated manifest", r -> Fuzz.mutate(r, REFERENCE, 40, noise(r)), InputFuzzTest::acceptedOrRefusedNamingAField);
    }

    @Test
    void parameters() {
        Fuzz.check("parameter", r -> "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: shop}\nspec:\n"
                + "  postgresql:\n    parameters:\n      " + quote(parameterName(r)) + ": " + quote(value(r)) + "\n", text -> {
            try {
                ClusterDefinition d = ManifestValidator.parseAndValidate(text);
                d.parameters().values().forEach(v -> assertThat(v.chars()).noneMatch(c -> c == '\n' || c == '\r' || c == 0));
            } catch (ManifestException e) {
                assertThat(e.violations()).allSatisfy(v -> assertThat(v.field()).isNotBlank());
            }
        });
    }

    @Test
    void recoveryTargetsAndBackupIds() {
        Fuzz.check("recovery target", r -> """
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata: {name: restored}
                spec:
                  bootstrap:
                    recovery:
                      source: old
                      backupID: %s
                      recoveryTarget: {%s: %s}
                  externalClusters:
                    - name: old
                      barmanObjectStore: {destinationPath: s3://bucket/x/, s3Credentials: {inheritFromIAMRole: true}}
                """.formatted(quote(value(r)), Fuzz.oneOf(r, "targetTime", "targetLSN", "targetName", "targetXID", "targetTLI",
                "backupID", "targetImmediate", "exclusive"), quote(value(r))), InputFuzzTest::acceptedOrRefusedNamingAField);
    }

    @Test
    void eventFiltersAreValidOrA400() {
        Fuzz.check("event filter", r -> Fuzz.oneOf(r, Fuzz.any(r, 60), Fuzz.string(r, "abcxyz-_.*019", 60),
                "failover.*", "io.pgpilot.instance.created", "io.*", "Bad_Cluster"), text -> {
            for (String[] args : new String[][] {{text, null}, {null, text}, {text, text}}) {
                try {
                    EventFilter.of(args[0], args[1]);
                } catch (ApiException e) {
                    assertThat(e.status().is4xxClientError()).isTrue();
                    assertThat(e.getMessage()).matches("(?s)(cluster|type): .*");
                }
            }
        });
    }

    @Test
    void lastEventIdIsParsedOrA400() {
        Fuzz.check("Last-Event-ID", r -> Fuzz.oneOf(r, Fuzz.any(r, 80), Fuzz.string(r, "0123456789:,", 80)),
                text -> {
                    try {
                        assertThat(StreamPosition.parse(text)).isNotNull();
                    } catch (StreamPosition.InvalidPosition e) {
                        assertThat(e.getMessage()).startsWith("Last-Event-ID"); // EventStreamController answers 400
                    }
                });
    }

    static String noise(SplittableRandom r) {
        return Fuzz.oneOf(r, Fuzz.string(r, YAML_NOISE, 30), Fuzz.any(r, 20), Fuzz.oneOf(r, "null", "~", "true", "-1",
                "99999999999999999999", "1e309", "0x1F", "[]", "{}", "''", "\"\"", "&a x", "*a", "!!binary AAAA",
                "!!python/object:os.system", "<<: {}", "\u0000", "\ufeff", "\u2028", "include_dir: '/etc'"));
    }

    static String parameterName(SplittableRandom r) {
        return Fuzz.oneOf(r, Fuzz.oneOf(r, "work_mem", "shared_buffers", "archive_command", "include", "include_dir", "TimeZone",
                        "shared_preload_libraries", "pg_stat_statements.max", "ssl_key_file", "port", "log_directory"),
                Fuzz.string(r, "abcdefghijklmnopqrstuvwxyz_.ABC0123", 40), Fuzz.any(r, 20));
    }

    static String value(SplittableRandom r) {
        return Fuzz.oneOf(r, Fuzz.oneOf(r, "8MB", "pg_stat_statements", "'; DROP", "a\nb", "a\rb", "a\u0000b", "\\", "'", "''",
                        "$libdir/x", "2026-01-01 00:00:00+00", "2026-13-45T99:99:99Z", "0/3000060", "20260101T000000", "latest", ""),
                Fuzz.any(r, 60), Fuzz.string(r, "0123456789-:T Z+/.ABCDEF", 30));
    }

    /** A JSON string literal, which YAML reads as a double-quoted scalar. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c >= 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
