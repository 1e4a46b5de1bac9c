package io.pgpilot.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ControlPlaneReachTest {

    @TempDir
    Path home;

    @Test
    void oneHostKeepsEverythingOnLoopback() {
        ControlPlaneReach reach = new ControlPlaneReach(null);
        assertThat(reach.multiHost()).isFalse();
        assertThat(reach.kafkaAddress()).isEqualTo("127.0.0.1");
        assertThat(reach.backupUrl(8084)).isEqualTo("http://127.0.0.1:8084");
        assertThat(reach.backupArgs()).isEmpty();
        assertThat(reach.provisionerArgs()).isEmpty();
    }

    @Test
    void anAdvertisedAddressIsWhereNodesReachKafkaAndTheBackupServiceAndInstancesGoToNodes() {
        ControlPlaneReach reach = new ControlPlaneReach("10.77.0.1");
        assertThat(reach.kafkaAddress()).isEqualTo("10.77.0.1");
        assertThat(reach.backupUrl(8084)).isEqualTo("http://10.77.0.1:8084");
        assertThat(reach.backupArgs()).containsExactly("--server.address=10.77.0.1");
        assertThat(reach.provisionerArgs()).containsExactly("--pgpilot.provisioner.backend=nodes");
    }

    @Test
    void aServiceIsAskedForItsHealthWhereItListens() {
        assertThat(ServiceProcess.boundAddress(List.of("--pgpilot.home=/x"))).isEqualTo("127.0.0.1");
        assertThat(ServiceProcess.boundAddress(List.of("--server.address=10.77.0.1"))).isEqualTo("10.77.0.1");
        assertThat(ServiceProcess.boundAddress(List.of("--server.address=0.0.0.0"))).isEqualTo("127.0.0.1");
    }

    @Test
    void theJoinTokenIsPrivateRandomAndKept() throws Exception {
        Path file = PlatformSecrets.ensureJoinToken(home);
        String token = Files.readString(file).strip();
        assertThat(token).hasSize(64).matches("[0-9a-f]+");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(file.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(PlatformSecrets.ensureJoinToken(home)).isEqualTo(file);
        assertThat(Files.readString(file).strip()).isEqualTo(token);
    }
}
