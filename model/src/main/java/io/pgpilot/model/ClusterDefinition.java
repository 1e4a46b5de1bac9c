package io.pgpilot.model;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A validated cluster with every default filled in: what the services act on. Built only by
 * {@link ManifestValidator}, so holding one means the manifest was accepted.
 */
public record ClusterDefinition(String name, int instances, Map<String, String> parameters,
                                SynchronousReplication synchronous, String storageSize,
                                BackupDefinition backup, int failoverDelaySeconds,
                                String database, String owner) {

    public List<String> instanceNames() {
        return IntStream.rangeClosed(1, instances).mapToObj(i -> Names.instanceName(name, i)).toList();
    }

    /** {@code ANY n} (quorum) or {@code FIRST n}; {@code number == 0} means asynchronous. */
    public record SynchronousReplication(Method method, int number) {
        public enum Method { ANY, FIRST }

        public static final SynchronousReplication ASYNC = new SynchronousReplication(Method.ANY, 0);

        /** The value for synchronous_standby_names given the standbys that exist. */
        public String standbyNames(List<String> standbys) {
            if (number == 0 || standbys.isEmpty()) {
                return "";
            }
            String list = String.join(",", standbys.stream().map(s -> "\"" + s + "\"").toList());
            return method + " " + Math.min(number, standbys.size()) + " (" + list + ")";
        }
    }

    public record BackupDefinition(String bucket, String prefix, String endpointUrl, String serverName,
                                   ClusterManifest.S3Credentials credentials, String walCompression,
                                   String walEncryption, String dataCompression, String retentionPolicy) {
    }
}
