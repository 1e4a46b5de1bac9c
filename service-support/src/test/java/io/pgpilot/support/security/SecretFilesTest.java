package io.pgpilot.support.security;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretFilesTest {

    /** Regression (issue 10): a plan could resolve another cluster's generated credentials and send them to its store. */
    @Test
    void manifestReferencesNeverResolvePlatformSecrets() throws Exception {
        Path home = Files.createTempDirectory("secret-files");
        Path dir = Files.createDirectories(home.resolve("secrets"));
        Files.writeString(dir.resolve("other-superuser.json"), "{\"password\":\"platform-secret-value\"}");
        Files.writeString(dir.resolve("s3-creds.json"), "{\"ACCESS_KEY_ID\":\"user-key\"}");
        SecretFiles secrets = new SecretFiles(home);

        assertThatThrownBy(() -> secrets.userValue("other-superuser", "password"))
                .isInstanceOf(SecretFiles.SecretException.class)
                .hasMessageContaining("other-superuser").hasMessageNotContaining("platform-secret-value");
        assertThat(secrets.userValue("s3-creds", "ACCESS_KEY_ID")).isEqualTo("user-key");
        assertThat(secrets.value("other-superuser", "password")).isEqualTo("platform-secret-value");
    }
}
