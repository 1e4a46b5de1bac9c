package io.pgpilot.instance.runtime;

import java.util.List;

/**
 * The instance manager's configuration is not usable; every violation names its field. A retry
 * does not help: the file must be fixed. Never carries a secret (values of the credentials file are
 * not read into messages).
 */
public final class InvalidConfigException extends RuntimeException {

    private final List<String> violations;

    public InvalidConfigException(List<String> violations) {
        this("instance manager", violations);
    }

    /** @param program whose configuration it is ("node agent") */
    public InvalidConfigException(String program, List<String> violations) {
        super("invalid " + program + " configuration: " + String.join("; ", violations));
        this.violations = List.copyOf(violations);
    }

    public List<String> violations() {
        return violations;
    }
}
