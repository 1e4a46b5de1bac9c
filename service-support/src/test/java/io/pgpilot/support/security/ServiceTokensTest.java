package io.pgpilot.support.security;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceTokensTest {

    @Test
    void tokensAreCreatedOncePrivateAndPerCluster() throws Exception {
        Path home = Files.createTempDirectory("tokens");
        ServiceTokens tokens = new ServiceTokens(home);
        assertThat(tokens.existingCluster("shop")).isEmpty();
        String shop = tokens.cluster("shop");
        assertThat(shop).hasSizeGreaterThanOrEqualTo(40);
        assertThat(new ServiceTokens(home).cluster("shop")).isEqualTo(shop);
        assertThat(tokens.existingCluster("shop")).contains(shop);
        assertThat(tokens.cluster("blog")).isNotEqualTo(shop);
        assertThat(tokens.internal()).isNotEqualTo(shop).isEqualTo(tokens.existingInternal().orElseThrow());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokens.file("shop-wal-token")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("secrets")))).isEqualTo("rwx------");
        try (var files = Files.list(home.resolve("secrets"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "shop-wal-token.json", "blog-wal-token.json", "pgpilot-internal-token.json");
        }
    }

    @Test
    void bearerHeadersAndComparison() {
        assertThat(ServiceTokens.bearer("Bearer abc")).isEqualTo("abc");
        assertThat(ServiceTokens.bearer("bearer abc")).isEqualTo("abc");
        assertThat(ServiceTokens.bearer("Basic abc")).isNull();
        assertThat(ServiceTokens.bearer("Bearer ")).isNull();
        assertThat(ServiceTokens.bearer(null)).isNull();
        assertThat(ServiceTokens.matches("abc", "abc")).isTrue();
        assertThat(ServiceTokens.matches("abc", "abd")).isFalse();
        assertThat(ServiceTokens.matches("", "")).isFalse();
        assertThat(ServiceTokens.matches(null, "x")).isFalse();
    }
}
