package io.pgpilot.gateway.security;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenFilesTest {

    @Test
    void createdOnceMode600AndKeptAcrossStarts() throws Exception {
        Path secrets = Files.createTempDirectory("tokens").resolve("secrets");
        TokenFiles.Loaded first = TokenFiles.ensure(secrets);
        assertThat(first.created()).containsExactlyInAnyOrder(Role.values());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets))).isEqualTo("rwx------");
        for (Role role : Role.values()) {
            Path file = secrets.resolve("api-token-" + role.id());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(first.tokens().get(role)).hasSize(43).matches("[A-Za-z0-9_-]+");
        }
        assertThat(first.tokens().values()).doesNotHaveDuplicates();
        assertThat(first.toString()).doesNotContain(first.tokens().get(Role.ADMIN));

        TokenFiles.Loaded again = TokenFiles.ensure(secrets);
        assertThat(again.created()).isEmpty();
        assertThat(again.tokens()).isEqualTo(first.tokens());

        // rotation: delete the file, start again
        Files.delete(secrets.resolve("api-token-operator"));
        TokenFiles.Loaded rotated = TokenFiles.ensure(secrets);
        assertThat(rotated.created()).containsExactly(Role.OPERATOR);
        assertThat(rotated.tokens().get(Role.OPERATOR)).isNotEqualTo(first.tokens().get(Role.OPERATOR));
        assertThat(rotated.tokens().get(Role.ADMIN)).isEqualTo(first.tokens().get(Role.ADMIN));
    }

    @Test
    void aUserWrittenTokenIsMadePrivateAndMustBeStrong() throws Exception {
        Path secrets = Files.createTempDirectory("tokens");
        Path admin = secrets.resolve("api-token-admin");
        Files.writeString(admin, "x".repeat(40) + "\n");
        Files.setPosixFilePermissions(admin, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(TokenFiles.ensure(secrets).tokens().get(Role.ADMIN)).isEqualTo("x".repeat(40));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(admin))).isEqualTo("rw-------");

        Files.writeString(admin, "short");
        assertThatThrownBy(() -> TokenFiles.ensure(secrets)).hasMessageContaining("api-token-admin").hasMessageContaining("32");
    }
}
