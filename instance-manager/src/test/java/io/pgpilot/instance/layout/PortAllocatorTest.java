package io.pgpilot.instance.layout;

import io.pgpilot.instance.ProvisioningException;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PortAllocatorTest {
    @Test
    void portAllocatorSkipsAssignedAndBusyPorts() {
        assertThat(PortAllocator.choose(15432, Set.of(15432, 15433), p -> p != 15434)).isEqualTo(15435);
        assertThatThrownBy(() -> PortAllocator.choose(65535, Set.of(65535), p -> true)).isInstanceOf(ProvisioningException.class);
    }
}
