package io.pgpilot.launcher;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class FreePortsTest {

    @Test
    void neverHandsOutThePortItGaveBefore() {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            assertThat(ports.add(FreePorts.next())).as("port handed out twice").isTrue();
        }
    }
}
