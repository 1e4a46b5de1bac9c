package io.pgpilot.services;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServicesPropertiesTest {

    @Test
    void endpointsListenOnLoopbackUnlessToldOtherwise() {
        assertThat(new ServicesProperties(null, null, null, null, null, null).listenAddress()).isEqualTo("127.0.0.1");
        assertThat(new ServicesProperties(null, null, null, null, null, "10.77.0.1").listenAddress()).isEqualTo("10.77.0.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "localhost", "10.0.0", "10.0.0.256", "::1", "10.0.0.1 ", "10.0.0.1;evil"})
    void refusesAnythingButOneIpv4AddressNamingTheSetting(String address) {
        assertThatThrownBy(() -> new ServicesProperties(null, null, null, null, null, address))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pgpilot.services.listen-address");
    }
}
