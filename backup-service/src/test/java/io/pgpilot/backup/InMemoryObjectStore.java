package io.pgpilot.backup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** An ObjectStore in memory for the archiving rules' tests; records every put. */
final class InMemoryObjectStore implements ObjectStore {

    record Put(String key, byte[] body, PutOptions options, java.time.Instant time) {
        Put(String key, byte[] body, PutOptions options) {
            this(key, body, options, java.time.Instant.now());
        }
    }

    final List<String> deleted = new ArrayList<>();
    /** Keys whose deletion the store refuses (object lock). */
    final java.util.Set<String> locked = new java.util.HashSet<>();
    int aborted;

    final Map<String, Put> objects = new TreeMap<>();
    final List<Put> puts = new ArrayList<>();
    boolean objectLock;
    boolean down;

    @Override
    public void put(String bucket, String key, byte[] body, PutOptions options) {
        check();
        Put put = new Put(key, body, options);
        puts.add(put);
        objects.put(key, put);
    }

    @Override
    public Optional<StoredObject> head(String bucket, String key) {
        check();
        return Optional.ofNullable(objects.get(key)).map(p -> new StoredObject(key, p.body().length, p.options().metadata()));
    }

    @Override
    public Optional<byte[]> get(String bucket, String key) {
        check();
        return Optional.ofNullable(objects.get(key)).map(Put::body);
    }

    @Override
    public List<String> list(String bucket, String prefix) {
        check();
        return objects.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
    }

    @Override
    public boolean objectLockEnabled(String bucket) {
        check();
        return objectLock;
    }

    @Override
    public List<ListedObject> listDetailed(String bucket, String prefix) {
        check();
        return objects.values().stream().filter(p -> p.key().startsWith(prefix))
                .map(p -> new ListedObject(p.key(), p.body().length, p.time())).toList();
    }

    @Override
    public Optional<java.io.InputStream> open(String bucket, String key) {
        return get(bucket, key).map(java.io.ByteArrayInputStream::new);
    }

    @Override
    public MultipartUpload startMultipart(String bucket, String key, PutOptions options) {
        check();
        Map<Integer, byte[]> parts = new TreeMap<>();
        return new MultipartUpload() {
            @Override
            public void uploadPart(int partNumber, byte[] data, int length) {
                check();
                parts.put(partNumber, java.util.Arrays.copyOf(data, length));
            }

            @Override
            public void complete() {
                check();
                var out = new java.io.ByteArrayOutputStream();
                parts.values().forEach(out::writeBytes);
                put(bucket, key, out.toByteArray(), options);
            }

            @Override
            public void abort() {
                aborted++;
            }
        };
    }

    @Override
    public void delete(String bucket, String key) {
        check();
        if (locked.contains(key)) {
            throw new StoreException(StoreException.Reason.REFUSED, "S3 delete " + key + " failed: HTTP 403 AccessDenied", null);
        }
        objects.remove(key);
        deleted.add(key);
    }

    private void check() {
        if (down) {
            throw new StoreException(StoreException.Reason.UNREACHABLE, "down", null);
        }
    }
}
