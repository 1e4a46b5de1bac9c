package io.pgpilot.provisioner;

import io.pgpilot.events.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SecretStoreTest {

    @TempDir
    Path home;

    @Test
    void passwordsAreGeneratedOnceKeptAndPrivate() throws Exception {
        SecretStore store = new SecretStore(home);
        var first = store.replication("pc");
        var again = new SecretStore(home).replication("pc");
        assertThat(first.password()).hasSizeGreaterThanOrEqualTo(24).isEqualTo(again.password());
        assertThat(store.superuser("pc").password()).isNotEqualTo(first.password());
        assertThat(first.toString()).doesNotContain(first.password());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.directory()))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file("pc", "replication")))).isEqualTo("rw-------");
    }

    @Test
    void appSecretLooksLikeCloudNativePgs() throws Exception {
        SecretStore store = new SecretStore(home);
        String password = store.app("pc", "app").password();
        store.writeApp("pc", "app", "app", "127.0.0.1", 15432);
        @SuppressWarnings("unchecked")
        Map<String, String> secret = Json.read(Files.readString(store.file("pc", "app")), Map.class);
        assertThat(secret).containsEntry("username", "app").containsEntry("password", password).containsEntry("dbname", "app")
                .containsEntry("host", "127.0.0.1").containsEntry("port", "15432")
                .containsEntry("uri", "postgresql://app:" + password + "@127.0.0.1:15432/app")
                .containsEntry("jdbc-uri", "jdbc:postgresql://127.0.0.1:15432/app?password=" + password + "&user=app");
        assertThat(store.app("pc", "app").password()).isEqualTo(password);
        store.delete("pc");
        assertThat(store.file("pc", "app")).doesNotExist();
    }
}
