package io.pgpilot.provisioner;

import io.pgpilot.events.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class IncarnationsTest {

    @TempDir
    Path home;

    private static Topology topology(String uid) {
        return new Topology("c", 4, "c-1", List.of("c-2"), List.of(), 1, Instant.EPOCH, "t").withUid(uid);
    }

    @Test
    void dataOnDiskOfAnotherIncarnationIsStaleAndATopologyAppliesOnlyToItsOwn() {
        Incarnations incarnations = new Incarnations(home);
        assertThat(incarnations.stale("c", "a", false)).as("nothing on disk").isFalse();
        incarnations.adopt("c", "a");
        assertThat(incarnations.onDisk("c")).isEqualTo("a");
        assertThat(incarnations.stale("c", "a", true)).isFalse();
        assertThat(incarnations.stale("c", "b", true)).isTrue();
        assertThat(incarnations.applicable("c", topology("a"))).isNotNull();
        assertThat(incarnations.applicable("c", topology("b"))).isNull();
        assertThat(incarnations.applicable("c", topology(null))).isNull();
    }

    @Test
    void afterARestartTheIncarnationOnDiskIsInForceUntilASpecArrives() {
        new Incarnations(home).adopt("c", "a");
        Incarnations restarted = new Incarnations(home);
        assertThat(restarted.current("c")).isEqualTo("a");
        restarted.adopt("c", "b");
        assertThat(restarted.current("c")).isEqualTo("b");
        restarted.forget("c");
        assertThat(restarted.current("c")).isEqualTo("b"); // still on disk until the directory is removed
    }

    @Test
    void instancesWithoutARecordedIncarnationPredateTheSpecButSpecsWithoutUidNeverDeleteAnything() {
        Incarnations incarnations = new Incarnations(home);
        assertThat(incarnations.stale("c", "a", true)).isTrue();
        assertThat(incarnations.stale("c", null, true)).isFalse();
        incarnations.adopt("c", null);
        assertThat(incarnations.current("c")).isNull();
        assertThat(incarnations.applicable("c", topology(null))).isNotNull();
    }
}
