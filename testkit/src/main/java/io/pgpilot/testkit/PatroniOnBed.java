package io.pgpilot.testkit;

import io.pgpilot.testkit.NetworkTestBed.Host;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The peer for the benchmark: {@link PatroniPeer} (Patroni 3.0.2 + etcd 3.4, a member per host,
 * synchronous mode) on a bed with a root link; the benchmark's clients reach its HAProxy on the client
 * host ({@code app}) from the root namespace. Clients log in as the superuser: the peer creates no
 * application role.
 */
final class PatroniOnBed implements MultiHostSystem {

    private final NetworkTestBed bed;
    private final PatroniPeer peer;
    private final PatroniPeer.Timing timing;
    private final String label;

    private PatroniOnBed(NetworkTestBed bed, PatroniPeer peer, PatroniPeer.Timing timing, String label) {
        this.bed = bed;
        this.peer = peer;
        this.timing = timing;
        this.label = label;
    }

    static PatroniOnBed start(Path dir, PatroniPeer.Timing timing, String label) {
        NetworkTestBed bed = NetworkTestBed.create("pb", List.of("n1", "n2", "n3", "app"), true);
        try {
            List<Host> nodes = List.of(bed.host("n1"), bed.host("n2"), bed.host("n3"));
            return new PatroniOnBed(bed, PatroniPeer.start(bed, nodes, bed.host("app"), dir, timing), timing, label);
        } catch (RuntimeException e) {
            bed.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "Patroni (" + label + ")";
    }

    @Override
    public String settings() {
        return name() + ": Patroni 3.0.2 + etcd 3.4 on each node, synchronous_mode, ttl " + timing.ttl() + " s, loop_wait "
                + timing.loopWait() + " s, retry_timeout " + timing.retryTimeout() + " s; HAProxy on a client host with"
                + " OPTIONS /primary, check " + timing.haproxyCheck() + ", on-marked-down shutdown-sessions";
    }

    @Override
    public NetworkTestBed bed() {
        return bed;
    }

    @Override
    public String rwEndpoint() {
        return peer.endpoint();
    }

    @Override
    public Login application() {
        return superuser();
    }

    @Override
    public Login superuser() {
        return new Login("postgres", "postgres", peer.superuserPassword(), false);
    }

    @Override
    public Map<Host, String> members() {
        Map<Host, String> members = new LinkedHashMap<>();
        peer.nodes().forEach(n -> members.put(n, n.address() + ":5432"));
        return members;
    }

    @Override
    public Host primaryHost() {
        return peer.leader().orElseThrow(() -> new IllegalStateException("no Patroni leader"));
    }

    @Override
    public boolean healthy() {
        return peer.leader().isPresent() && peer.streamingReplicas() == peer.nodes().size() - 1;
    }

    @Override
    public void powerBack(Host host) {
        peer.powerBack(host);
    }

    @Override
    public void close() {
        try {
            peer.close();
        } finally {
            bed.close();
        }
    }
}
