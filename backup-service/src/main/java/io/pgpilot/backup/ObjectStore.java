package io.pgpilot.backup;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the backup service needs from an S3 bucket. One implementation talks S3 ({@link S3ObjectStore});
 * tests of the archiving rules use an in-memory one.
 */
public interface ObjectStore {

    /** How to write an object: user metadata, server-side encryption, object-lock retention (null: none). */
    record PutOptions(Map<String, String> metadata, String serverSideEncryption, String kmsKeyId, Instant retainUntil) {
    }

    record StoredObject(String key, long size, Map<String, String> metadata) {
    }

    /** Writes and returns only once the store confirmed it (the store checks the body's MD5). */
    void put(String bucket, String key, byte[] body, PutOptions options);

    Optional<StoredObject> head(String bucket, String key);

    Optional<byte[]> get(String bucket, String key);

    /** Keys under a prefix, in the store's order (lexicographic for S3). */
    List<String> list(String bucket, String prefix);

    /** Whether the bucket has object lock enabled (then every object gets a retention). */
    boolean objectLockEnabled(String bucket);

    /** The store could not be reached or answered with an error: the caller must not acknowledge anything. */
    final class StoreException extends RuntimeException {
        public enum Reason { UNREACHABLE, REFUSED, ERROR }

        private final Reason reason;

        public StoreException(Reason reason, String message, Throwable cause) {
            super(message, cause);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }
}
