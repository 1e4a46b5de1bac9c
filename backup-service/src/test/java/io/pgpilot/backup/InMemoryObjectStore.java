package io.pgpilot.backup;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** An ObjectStore in memory for the archiving rules' tests; records every put. */
final class InMemoryObjectStore implements ObjectStore {

    record Put(String key, byte[] body, PutOptions options) {
    }

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

    private void check() {
        if (down) {
            throw new StoreException(StoreException.Reason.UNREACHABLE, "down", null);
        }
    }
}
