package io.pgpilot.gateway;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Where a subscriber is in {@code pgpilot.cluster.events}: for every partition, the offset of the
 * next record to read. Sent as the SSE {@code id:} of every event ({@code 0:12,1:7,2:30}) and
 * taken back from {@code Last-Event-ID}, so that a reconnecting client resumes exactly after the
 * last event it received on every partition. Pure.
 */
record StreamPosition(Map<Integer, Long> next) {

    /** At most 64 partitions, each {@code partition:offset} in decimal, no spaces, no sign. */
    static final Pattern FORMAT = Pattern.compile("[0-9]{1,4}:[0-9]{1,18}(,[0-9]{1,4}:[0-9]{1,18}){0,63}");

    /** A Last-Event-ID that is not one of ours. */
    static final class InvalidPosition extends IllegalArgumentException {
        InvalidPosition(String message) {
            super(message);
        }
    }

    StreamPosition {
        next = Map.copyOf(new TreeMap<>(next));
    }

    /** Empty for a null or blank header; a position for a well-formed one; {@link InvalidPosition} otherwise. */
    static Optional<StreamPosition> parse(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return Optional.empty();
        }
        if (lastEventId.length() > 1600 || !FORMAT.matcher(lastEventId).matches()) {
            throw new InvalidPosition("Last-Event-ID must be an id sent by this stream, like '0:12,1:7,2:30'");
        }
        Map<Integer, Long> next = new TreeMap<>();
        for (String part : lastEventId.split(",")) {
            int colon = part.indexOf(':');
            int partition = Integer.parseInt(part.substring(0, colon));
            long offset = Long.parseLong(part.substring(colon + 1));
            if (next.put(partition, offset) != null) {
                throw new InvalidPosition("Last-Event-ID names partition " + partition + " twice");
            }
        }
        return Optional.of(new StreamPosition(next));
    }

    /** The position after the record at {@code offset} of {@code partition} was delivered. */
    StreamPosition after(int partition, long offset) {
        Map<Integer, Long> moved = new TreeMap<>(next);
        moved.put(partition, offset + 1);
        return new StreamPosition(moved);
    }

    String id() {
        StringBuilder id = new StringBuilder();
        new TreeMap<>(next).forEach((partition, offset) -> {
            if (!id.isEmpty()) {
                id.append(',');
            }
            id.append(partition).append(':').append(offset);
        });
        return id.toString();
    }
}
