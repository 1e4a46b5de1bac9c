package io.pgpilot.services;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class PortStoreTest {

    @TempDir
    Path dir;

    @Test
    void allocatesConsecutiveFreePortsPersistsAndReleases() throws IOException {
        int base;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            base = probe.getLocalPort();
        }
        base = Math.min(base, 60000);
        Path file = dir.resolve("services/ports.json");
        try (ServerSocket busy = new ServerSocket()) {
            busy.setReuseAddress(true);
            busy.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), base + 4), 1);
            PortStore store = new PortStore(file, base);
            EndpointPorts a = store.portsFor("a");
            EndpointPorts b = store.portsFor("b");
            assertThat(a.ro()).isEqualTo(a.rw() + 1);
            assertThat(a.r()).isEqualTo(a.rw() + 2);
            assertThat(b.rw()).isGreaterThan(a.r());
            assertThat(base + 4 >= b.rw() && base + 4 <= b.r()).isFalse();
            assertThat(base + 4 >= a.rw() && base + 4 <= a.r()).isFalse();

            PortStore reloaded = new PortStore(file, base);
            assertThat(reloaded.portsFor("a")).isEqualTo(a);
            assertThat(reloaded.portsFor("b")).isEqualTo(b);
            reloaded.release("a");
            assertThat(new PortStore(file, base).snapshot()).containsOnlyKeys("b");
        }
    }
}
