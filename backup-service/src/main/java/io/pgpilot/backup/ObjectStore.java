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

    /** A listed object with its size and time (retention decides from these). */
    record ListedObject(String key, long size, Instant lastModified) {
    }

    /** Keys with sizes and times under a prefix. */
    List<ListedObject> listDetailed(String bucket, String prefix);

    /** Streams an object (the caller closes the stream); empty when it does not exist. */
    Optional<java.io.InputStream> open(String bucket, String key);

    /** One multipart upload in progress: parts are numbered from 1; nothing is visible until {@link #complete}. */
    interface MultipartUpload {
        void uploadPart(int partNumber, byte[] data, int length);

        /** Makes the object visible; returns once the store confirmed it. */
        void complete();

        /** Drops the parts uploaded so far (best effort). */
        void abort();
    }

    /** Starts a multipart upload with the options of a whole object (metadata, SSE, retention). */
    MultipartUpload startMultipart(String bucket, String key, PutOptions options);

    /**
     * Deletes every version of an object. With object lock the store refuses locked versions:
     * that is reported as {@link StoreException.Reason#REFUSED}, nothing is forced.
     */
    void delete(String bucket, String key);

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
