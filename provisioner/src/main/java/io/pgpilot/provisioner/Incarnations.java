package io.pgpilot.provisioner;

import io.pgpilot.events.Incarnation;
import io.pgpilot.events.Topology;
import io.pgpilot.instance.layout.Files2;
import io.pgpilot.instance.layout.InstanceLayout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which incarnation ({@link Incarnation}) of each cluster name the provisioner works for. The uid
 * of the instances on disk is kept in {@code clusters/<cluster>/incarnation}, written before the
 * first instance is created, so that after any restart the provisioner knows whether the data
 * there belongs to the spec in force or to a deleted cluster of the same name. A topology applies
 * only to the incarnation it was decided for.
 */
final class Incarnations {

    static final String FILE = "incarnation";

    private final Path home;
    /** The uid of the latest spec handed to the reconciler per cluster (empty: a spec without uid). */
    private final Map<String, Optional<String>> desired = new ConcurrentHashMap<>();

    Incarnations(Path home) {
        this.home = home;
    }

    private Path file(String cluster) {
        return InstanceLayout.clusterDirectory(home, cluster).resolve(FILE);
    }

    /** The incarnation the instances on disk belong to; null when not recorded. */
    String onDisk(String cluster) {
        Path file = file(cluster);
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).trim() : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * The data on disk belong to another incarnation than {@code uid}: instances exist and the
     * recorded uid differs (or none was recorded, so they predate this incarnation). Never for a
     * spec without uid (written before incarnations existed).
     */
    boolean stale(String cluster, String uid, boolean instancesOnDisk) {
        return uid != null && instancesOnDisk && !uid.equals(onDisk(cluster));
    }

    /** Records that the cluster directory now belongs to {@code uid} (and that the spec in force has it). */
    void adopt(String cluster, String uid) {
        desired.put(cluster, Optional.ofNullable(uid));
        if (uid == null || uid.equals(onDisk(cluster))) {
            return;
        }
        Path dir = InstanceLayout.clusterDirectory(home, cluster);
        try {
            if (!Files.exists(dir)) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        Files2.writePrivate(file(cluster), uid + "\n", null);
    }

    /** The cluster was deleted: no incarnation in force (its directory, with the file, is gone). */
    void forget(String cluster) {
        desired.remove(cluster);
    }

    /** The incarnation in force: the spec's when one was handed over since the start, else the one on disk. */
    String current(String cluster) {
        Optional<String> uid = desired.get(cluster);
        return uid != null ? uid.orElse(null) : onDisk(cluster);
    }

    /** {@code topology} when it was decided for the incarnation in force, else null. */
    Topology applicable(String cluster, Topology topology) {
        return topology != null && Incarnation.same(topology.uid(), current(cluster)) ? topology : null;
    }
}
