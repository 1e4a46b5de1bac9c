package io.pgpilot.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback port that was free a moment ago and that this process has not handed out before: the
 * kernel may give the same ephemeral port to two binds in a row once the first socket is closed (seen
 * in CI: Kafka's broker and controller listeners got one port and the broker refused to start).
 */
public final class FreePorts {

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    private static final int ATTEMPTS = 1000;

    private FreePorts() {
    }

    public static int next() {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = freeNow();
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port that was not handed out already, after " + ATTEMPTS + " binds");
    }

    private static int freeNow() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static boolean isListening(int port) {
        return isListening(InetAddress.getLoopbackAddress().getHostAddress(), port);
    }

    /** Something accepts TCP connections on {@code address:port}. */
    public static boolean isListening(String address, int port) {
        try (var socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(address, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
