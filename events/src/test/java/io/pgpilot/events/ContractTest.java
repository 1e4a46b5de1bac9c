package io.pgpilot.events;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContractTest {

    @Test
    void lsnRoundTrips() {
        assertThat(Lsn.parse("16/B374D848")).isEqualTo(0x16B374D848L);
        assertThat(Lsn.format(0x16B374D848L)).isEqualTo("16/B374D848");
        assertThat(Lsn.parse("0/0")).isZero();
        assertThatThrownBy(() -> Lsn.parse("nope")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void topologyRoundTripsAndOrdersByEpoch() {
        Topology first = new Topology("c", 1, "c-1", List.of("c-2", "c-3"), List.of(), 1, Instant.parse("2026-01-01T00:00:00Z"), "initial");
        Topology read = Json.read(Json.write(first), Topology.class);
        assertThat(read).isEqualTo(first);
        assertThat(read.members()).containsExactly("c-1", "c-2", "c-3");
        Topology second = new Topology("c", 2, "c-2", List.of("c-1", "c-3"), List.of(), 2, Instant.now(), "failover");
        assertThat(second.newerThan(first)).isTrue();
        assertThat(first.newerThan(second)).isFalse();
    }

    @Test
    void recordsCarryTheClusterIncarnationAndOlderRecordsReadWithoutIt() {
        String uid = Incarnation.newUid();
        Topology topology = new Topology("c", 3, "c-1", List.of("c-2"), List.of(), 1, Instant.EPOCH, "initial").withUid(uid);
        assertThat(Json.read(Json.write(topology), Topology.class).uid()).isEqualTo(uid);
        InstanceRecord instance = new InstanceRecord("c", "c-1", 1, "127.0.0.1", 5432, "/d", InstanceRecord.Phase.RUNNING,
                Instant.EPOCH, "primary", uid);
        assertThat(Json.read(Json.write(instance), InstanceRecord.class)).isEqualTo(instance);
        // a record written before incarnations existed has no uid: it reads as null, matching only null
        String old = Json.write(new Topology("c", 2, "c-1", List.of(), List.of(), 1, Instant.EPOCH, "old")).replace(",\"uid\":null", "");
        assertThat(old).doesNotContain("uid");
        assertThat(Json.read(old, Topology.class).uid()).isNull();
        assertThat(Incarnation.same(null, null)).isTrue();
        assertThat(Incarnation.same(uid, null)).isFalse();
        assertThat(Incarnation.same(uid, Incarnation.newUid())).isFalse();
    }

    @Test
    void unknownFieldsFromNewerProducersAreIgnored() {
        String json = Json.write(new EndpointsRecord("c", "127.0.0.1", 1, 2, 3, 4, Instant.EPOCH)).replace("{", "{\"future\":1,");
        assertThat(Json.read(json, EndpointsRecord.class).rwPort()).isEqualTo(1);
    }

    @Test
    void eventsAreCloudEvents() {
        PlatformEvent event = PlatformEvent.of("provisioner", "instance.created", "c", "c-1", java.util.Map.of("port", 5432));
        assertThat(event.specversion()).isEqualTo("1.0");
        assertThat(event.type()).isEqualTo("io.pgpilot.instance.created");
        assertThat(Json.read(Json.write(event), PlatformEvent.class).data()).containsEntry("port", 5432);
    }
}
