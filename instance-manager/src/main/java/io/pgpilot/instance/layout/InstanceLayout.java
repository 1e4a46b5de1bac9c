package io.pgpilot.instance.layout;

import io.pgpilot.model.Names;

import java.nio.file.Path;

/** Where one instance lives under {@code ${pgpilot.home}/clusters/<cluster>/<instance>/}. */
public record InstanceLayout(String cluster, int ordinal, Path directory) {

    /** The address local instances listen on and are reached at. */
    public static final String HOST = "127.0.0.1";

    public static InstanceLayout of(Path home, String cluster, int ordinal) {
        Names.requireCluster(cluster);
        String instance = Names.requireInstance(Names.instanceName(cluster, ordinal));
        return new InstanceLayout(cluster, ordinal, clusterDirectory(home, cluster).resolve(instance));
    }

    public static Path clustersDirectory(Path home) {
        return home.resolve("clusters");
    }

    public static Path clusterDirectory(Path home, String cluster) {
        return clustersDirectory(home).resolve(Names.requireCluster(cluster));
    }

    public String instance() {
        return Names.instanceName(cluster, ordinal);
    }

    public Path pgdata() {
        return directory.resolve("pgdata");
    }

    public Path metadataFile() {
        return directory.resolve("instance.json");
    }

    public Path socketDirectory() {
        return directory.resolve("sock");
    }

    public Path logDirectory() {
        return directory.resolve("log");
    }

    /** pg_ctl's own log (start-up output before the logging collector takes over). */
    public Path startupLog() {
        return directory.resolve("startup.log");
    }

    /** libpq passfile with the replication password, read by pg_basebackup and the WAL receiver. */
    public Path replicationPassfile() {
        return directory.resolve("replication.pgpass");
    }

    /** Certificates and keys of this instance (outside pgdata: never copied by pg_basebackup or pg_rewind). */
    public Path tlsDirectory() {
        return TlsFiles.directory(directory);
    }

    public boolean initialized() {
        return java.nio.file.Files.exists(pgdata().resolve("PG_VERSION"));
    }

    public boolean standby() {
        return java.nio.file.Files.exists(pgdata().resolve("standby.signal"));
    }
}
