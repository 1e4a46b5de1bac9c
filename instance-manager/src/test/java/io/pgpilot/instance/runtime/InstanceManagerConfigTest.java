package io.pgpilot.instance.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InstanceManagerConfigTest {

    @TempDir
    Path tmp;

    static Map<String, String> minimal() {
        Map<String, String> values = new HashMap<>();
        values.put("cluster", "pg");
        values.put("uid", "3f2c-11");
        values.put("instance", "pg-1");
        values.put("cluster-size", "3");
        values.put("port", "5432");
        values.put("data-directory", "/var/lib/pgpilot/data/pg-1");
        values.put("kafka-bootstrap-servers", "10.0.0.1:9092,kafka.local:9093");
        values.put("credentials-file", "/etc/pgpilot/pg-superuser.json");
        return values;
    }

    @Test
    void defaultsAreLoopbackOneSecondAndAFourSecondFence() {
        InstanceManagerConfig config = InstanceManagerConfig.of(minimal());
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.httpAddress()).isEqualTo("127.0.0.1");
        assertThat(config.httpPort()).isZero();
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.selfFenceTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(config.pgBinDirectory()).isNull();
    }

    @Test
    void everyViolationNamesItsField() {
        Map<String, String> values = minimal();
        values.put("instance", "other-1");
        values.put("port", "70000");
        values.put("data-directory", "relative/dir");
        values.put("kafka-bootstrap-servers", "nohost");
        values.put("heartbeat-interval", "3s");
        values.put("self-fence-timeout", "5s");
        values.put("http-address", "example.com");
        values.put("password", "s3cret");
        values.remove("uid");
        assertThatThrownBy(() -> InstanceManagerConfig.of(values))
                .isInstanceOf(InvalidConfigException.class)
                .satisfies(e -> assertThat(((InvalidConfigException) e).violations()).anySatisfy(v -> assertThat(v).startsWith("field 'uid': required"))
                        .anySatisfy(v -> assertThat(v).startsWith("field 'instance':").contains("not an instance of cluster 'pg'"))
                        .anySatisfy(v -> assertThat(v).startsWith("field 'port':"))
                        .anySatisfy(v -> assertThat(v).startsWith("field 'data-directory':"))
                        .anySatisfy(v -> assertThat(v).startsWith("field 'kafka-bootstrap-servers':"))
                        .anySatisfy(v -> assertThat(v).startsWith("field 'self-fence-timeout': must be at least two"))
                        .anySatisfy(v -> assertThat(v).startsWith("field 'http-address':"))
                        .anySatisfy(v -> assertThat(v).startsWith("field 'password': unknown")))
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void aBadDurationIsRefused() {
        Map<String, String> values = minimal();
        values.put("probe-timeout", "1 hour");
        assertThatThrownBy(() -> InstanceManagerConfig.of(values)).hasMessageContaining("field 'probe-timeout'");
    }

    @Test
    void loadRefusesACredentialsFileOthersMayRead() throws Exception {
        Path credentials = tmp.resolve("superuser.json");
        Files.writeString(credentials, "{\"username\":\"postgres\",\"password\":\"p\"}");
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-r--r--"));
        Map<String, String> values = minimal();
        values.put("credentials-file", credentials.toString());
        Path file = tmp.resolve("im.properties");
        StringBuilder text = new StringBuilder();
        values.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(file, text);

        assertThatThrownBy(() -> InstanceManagerConfig.load(file)).hasMessageContaining("field 'credentials-file'")
                .hasMessageContaining("chmod 600");
        Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-------"));
        assertThat(InstanceManagerConfig.load(file).credentialsFile()).isEqualTo(credentials);
        Files.delete(credentials);
        assertThatThrownBy(() -> InstanceManagerConfig.load(file)).hasMessageContaining("does not exist");
    }
}
