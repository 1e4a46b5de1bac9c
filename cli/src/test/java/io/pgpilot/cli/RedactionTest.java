package io.pgpilot.cli;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RedactionTest {

    @Test
    void conninfoUrisTokensAndKeysInConfigurationText() {
        String conf = """
                primary_conninfo = 'host=127.0.0.1 port=5433 user=streaming_replica password=Sup3rS3cret application_name=pc-2'
                restore_command = 'curl -H "Authorization: Bearer abcdEFGH1234ijkl" http://127.0.0.1:8084/wal/pc/%f'
                # uri postgresql://app:hunter2hunter2@127.0.0.1:5432/app
                SECRET_ACCESS_KEY=AKIAxyzSECRET
                "password": "jsonpass",
                shared_buffers = '128MB'
                -----BEGIN PRIVATE KEY-----
                MIIEvQIBADANBgkqhkiG9w0BAQEFAASC
                -----END PRIVATE KEY-----
                """;
        String out = Redaction.text(conf);
        assertThat(out).doesNotContain("Sup3rS3cret", "abcdEFGH1234ijkl", "hunter2hunter2", "AKIAxyzSECRET", "jsonpass", "MIIEvQIBADAN");
        assertThat(out).contains("user=streaming_replica", "application_name=pc-2", "shared_buffers = '128MB'",
                "postgresql://app:" + Redaction.MARK + "@127.0.0.1:5432/app", "-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void secretNamedKeysInTrees() {
        Object tree = Redaction.tree(Map.of("username", "app", "password", "p4ss", "nested", List.of(Map.of("token", "t0k3n", "port", 5432)),
                "uri", "postgresql://app:p4ss@h:1/app", "note", "password=inline"));
        String json = Json.write(tree);
        assertThat(json).doesNotContain("p4ss", "t0k3n", "inline").contains("\"username\" : \"app\"", "5432");
    }

    @Test
    void logLinesArePrefixedAndRedacted() {
        assertThat(LogsCommand.line("pc-1", "LOG:  statement: ALTER ROLE app PASSWORD 'x'; password=abc123"))
                .isEqualTo("[pc-1] LOG:  statement: ALTER ROLE app PASSWORD " + Redaction.MARK + "; password=" + Redaction.MARK);
    }
}
