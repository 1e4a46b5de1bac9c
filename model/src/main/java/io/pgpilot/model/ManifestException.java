package io.pgpilot.model;

import java.util.List;

/** A manifest that cannot be accepted; every violation names the field it is about. */
public final class ManifestException extends RuntimeException {

    public record Violation(String field, String reason) {
        @Override
        public String toString() {
            return field + ": " + reason;
        }
    }

    private final List<Violation> violations;

    public ManifestException(List<Violation> violations) {
        super(String.join("; ", violations.stream().map(Violation::toString).toList()));
        this.violations = List.copyOf(violations);
    }

    public ManifestException(String field, String reason) {
        this(List.of(new Violation(field, reason)));
    }

    public List<Violation> violations() {
        return violations;
    }
}
