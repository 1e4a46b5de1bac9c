package io.pgpilot.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SocketPathTest {

    @Test
    void theLongestClusterNameKeepsEverySocketPathWithinPostgresLimit() {
        String home = "/var/lib/pgpilot";
        int longest = Names.maxClusterNameFor(home);
        String name = "a".repeat(longest);
        String socket = home + "/clusters/" + name + "/" + name + "-9/sock/.s.PGSQL.65535";
        assertThat(socket.length()).isLessThanOrEqualTo(Names.MAX_SOCKET_PATH);
        String longer = "a".repeat(longest + 1);
        assertThat((home + "/clusters/" + longer + "/" + longer + "-9/sock/.s.PGSQL.65535").length())
                .isGreaterThan(Names.MAX_SOCKET_PATH);
        assertThat(longest).isEqualTo(29);
    }

    @Test
    void neverMoreThanTheNamePatternAllowsNorBelowZero() {
        assertThat(Names.maxClusterNameFor("/h")).isBetween(30, 50);
        assertThat(Names.maxClusterNameFor("/" + "x".repeat(200))).isZero();
    }
}
