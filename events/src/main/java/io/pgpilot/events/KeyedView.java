package io.pgpilot.events;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest record per key of one compacted topic (a tombstone removes the key), pure and safe to
 * read from any thread. The generic companion of {@link PlatformState} for topics without merge
 * rules of their own (pooler and database specs and statuses, role statuses).
 */
public final class KeyedView<T> {

    private final Class<T> type;
    private final Map<String, T> values = new ConcurrentHashMap<>();

    public KeyedView(Class<T> type) {
        this.type = type;
    }

    /** Applies one record ({@code value} null: tombstone); an unreadable record throws and changes nothing. */
    public boolean apply(String key, String value) {
        if (key == null) {
            return false;
        }
        if (value == null) {
            return values.remove(key) != null;
        }
        T fresh = Json.read(value, type);
        return !fresh.equals(values.put(key, fresh));
    }

    /** A record this process itself published, visible at once (read-your-writes); null removes it. */
    public void accepted(String key, T value) {
        if (value == null) {
            values.remove(key);
        } else {
            values.put(key, value);
        }
    }

    public Optional<T> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public Map<String, T> all() {
        return Map.copyOf(values);
    }
}
