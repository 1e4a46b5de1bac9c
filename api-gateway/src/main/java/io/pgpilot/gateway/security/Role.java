package io.pgpilot.gateway.security;

import java.util.Locale;

/** What a caller may do: each role includes the ones before it. */
public enum Role {
    /** GET everything, the event stream. */
    VIEWER,
    /** + switchover, promote, fence, unfence, base backups. */
    OPERATOR,
    /** + create, update, delete, restore, and every mutating route no rule names. */
    ADMIN;

    public boolean grants(Role required) {
        return ordinal() >= required.ordinal();
    }

    /** {@code viewer}, {@code operator}, {@code admin}: as in the token file names and the API's answers. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
