package io.pgpilot.backup;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AccessPolicyTest {

    @Test
    void walAndRecoveryNeedTheClusterToken() {
        assertThat(AccessPolicy.of("/wal/shop/000000010000000000000001")).isEqualTo(new AccessPolicy.ClusterToken("shop"));
        assertThat(AccessPolicy.of("/recovery/shop")).isEqualTo(new AccessPolicy.ClusterToken("shop"));
        assertThat(AccessPolicy.of("/recovery/shop/backups/20260101T000000/data")).isEqualTo(new AccessPolicy.ClusterToken("shop"));
    }

    @Test
    void everythingElseNeedsTheInternalTokenExceptActuator() {
        for (String path : new String[] {"/backups/shop", "/retention/shop", "/plans", "/schedules", "/archiving", "/", "/unknown",
                "/wal", "/WAL/shop/x"}) {
            assertThat(AccessPolicy.of(path)).as(path).isEqualTo(new AccessPolicy.InternalToken());
        }
        assertThat(AccessPolicy.of("/actuator/health")).isEqualTo(new AccessPolicy.Open());
        assertThat(AccessPolicy.of("/actuator/prometheus")).isEqualTo(new AccessPolicy.Open());
    }

    @Test
    void invalidClusterNamesAreRefusedBeforeAnyToken() {
        assertThat(AccessPolicy.of("/wal/Bad_Cluster/x")).isInstanceOf(AccessPolicy.BadName.class);
        assertThat(AccessPolicy.of("/wal//x")).isInstanceOf(AccessPolicy.BadName.class);
        assertThat(AccessPolicy.of("/recovery/../backups")).isInstanceOf(AccessPolicy.BadName.class);
    }
}
