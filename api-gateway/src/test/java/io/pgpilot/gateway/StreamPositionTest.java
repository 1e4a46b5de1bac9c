package io.pgpilot.gateway;

import io.pgpilot.events.PlatformEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamPositionTest {

    @Test
    void anIdNamesTheNextOffsetOfEveryPartitionAndRoundTrips() {
        StreamPosition start = new StreamPosition(Map.of(2, 30L, 0, 12L, 1, 7L));
        assertThat(start.id()).isEqualTo("0:12,1:7,2:30");
        StreamPosition after = start.after(1, 7);
        assertThat(after.id()).isEqualTo("0:12,1:8,2:30");
        assertThat(StreamPosition.parse(after.id())).contains(after);
        assertThat(StreamPosition.parse(null)).isEmpty();
        assertThat(StreamPosition.parse(" ")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "0:1;rm -rf", "0:-1", "-1:0", "0:1,", "0:1,,1:2", "0:1 ,1:2", "0:1\n1:2",
            "0:1234567890123456789", "12345:1", "0:1,0:2", "1"})
    void anythingElseIsRefused(String id) {
        assertThatThrownBy(() -> StreamPosition.parse(id)).isInstanceOf(StreamPosition.InvalidPosition.class);
    }

    @Test
    void filtersByClusterAndExactTypeOrFamily() {
        PlatformEvent created = PlatformEvent.of("provisioner", "instance.created", "ha", "ha-1", Map.of());
        PlatformEvent failover = PlatformEvent.of("failover-service", "failover.completed", "ha", "ha-2", Map.of());
        assertThat(EventFilter.of(null, null).matches("ha", created)).isTrue();
        assertThat(EventFilter.of("ha", null).matches("ha", created)).isTrue();
        assertThat(EventFilter.of("other", null).matches("ha", created)).isFalse();
        assertThat(EventFilter.of(null, "instance.created").matches("ha", created)).isTrue();
        assertThat(EventFilter.of(null, "io.pgpilot.instance.created").matches("ha", created)).isTrue();
        assertThat(EventFilter.of(null, "instance.create").matches("ha", created)).isFalse();
        assertThat(EventFilter.of("ha", "failover.*").matches("ha", failover)).isTrue();
        assertThat(EventFilter.of("ha", "failover.*").matches("ha", created)).isFalse();
        assertThat(EventFilter.of(null, "instance.pending_restart").matches("ha",
                PlatformEvent.of("provisioner", "instance.pending_restart", "ha", "ha-1", Map.of()))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Instance.Created", "instance..created", "*", "io.*", "instance.created;drop", "a.b.c.d.e.f.g.h",
            "instance created", "failover.*.x"})
    void badTypesAreRefusedWithA400(String type) {
        assertThatThrownBy(() -> EventFilter.of(null, type)).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).status().value()).isEqualTo(400))
                .hasMessageContaining("type:");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "UPPER", "-x", "a_b", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "ha\n"})
    void badClustersAreRefusedWithA400(String cluster) {
        assertThatThrownBy(() -> EventFilter.of(cluster, null)).isInstanceOf(ApiException.class).hasMessageContaining("cluster:");
    }
}
