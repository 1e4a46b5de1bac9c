package io.pgpilot.events;

import java.time.Instant;
import java.util.List;

/**
 * Who is primary. Written only by the failover service; the epoch only grows, and consumers
 * ignore any record whose epoch is not above the last one they applied, and any record of another
 * incarnation of the cluster name ({@code uid}, see {@link Incarnation}).
 */
public record Topology(String cluster, long epoch, String primary, List<String> replicas,
                       List<String> fenced, int timeline, Instant decidedAt, String reason, String uid) {

    public Topology(String cluster, long epoch, String primary, List<String> replicas,
                    List<String> fenced, int timeline, Instant decidedAt, String reason) {
        this(cluster, epoch, primary, replicas, fenced, timeline, decidedAt, reason, null);
    }

    /** The same decision for the cluster incarnation {@code uid} ({@link Incarnation}). */
    public Topology withUid(String uid) {
        return new Topology(cluster, epoch, primary, replicas, fenced, timeline, decidedAt, reason, uid);
    }

    public List<String> members() {
        var all = new java.util.ArrayList<String>();
        if (primary != null) {
            all.add(primary);
        }
        all.addAll(replicas);
        return all;
    }

    public boolean newerThan(Topology other) {
        return other == null || epoch > other.epoch;
    }
}
