package io.pgpilot.provisioner;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class CreationRetriesTest {

    @Test
    void doublesFromTwoSecondsUpToAMinute() {
        assertThat(CreationRetries.delay(1)).isEqualTo(Duration.ofSeconds(2));
        assertThat(CreationRetries.delay(2)).isEqualTo(Duration.ofSeconds(4));
        assertThat(CreationRetries.delay(5)).isEqualTo(Duration.ofSeconds(32));
        assertThat(CreationRetries.delay(6)).isEqualTo(Duration.ofSeconds(60));
        assertThat(CreationRetries.delay(500)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void eachClusterCountsItsOwnFailuresUntilReset() throws Exception {
        try (CreationRetries retries = new CreationRetries()) {
            CountDownLatch ran = new CountDownLatch(1);
            assertThat(retries.schedule("a", ran::countDown)).isEqualTo(Duration.ofSeconds(2));
            assertThat(retries.schedule("a", () -> { })).isEqualTo(Duration.ofSeconds(4));
            assertThat(retries.schedule("b", () -> { })).isEqualTo(Duration.ofSeconds(2));
            retries.reset("a");
            assertThat(retries.schedule("a", () -> { })).isEqualTo(Duration.ofSeconds(2));
            assertThat(ran.await(10, TimeUnit.SECONDS)).as("the retry runs").isTrue();
        }
    }
}
