package io.pgpilot.gateway.security;

import java.util.regex.Pattern;

/** The credential an {@code Authorization} header carries (RFC 6750), parsed without judging it (pure). */
public sealed interface BearerToken {

    /** No Authorization header. */
    record Missing() implements BearerToken {
    }

    /** A header that is not {@code Bearer <token68>}; {@code reason} is safe to show. */
    record Malformed(String reason) implements BearerToken {
    }

    /** A token to check; {@link #toString()} never shows it. */
    record Presented(String value) implements BearerToken {
        @Override
        public String toString() {
            return "Presented[redacted]";
        }
    }

    int MAX_LENGTH = 8192;
    Pattern TOKEN68 = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

    static BearerToken parse(String header) {
        if (header == null || header.isBlank()) {
            return new Missing();
        }
        String h = header.strip();
        int space = h.indexOf(' ');
        if (space < 0 || !h.substring(0, space).equalsIgnoreCase("Bearer")) {
            return new Malformed("the Authorization header must be 'Bearer <token>'");
        }
        String token = h.substring(space + 1).strip();
        if (token.isEmpty() || token.length() > MAX_LENGTH || !TOKEN68.matcher(token).matches()) {
            return new Malformed("the bearer token is empty, too long or has characters a token cannot have");
        }
        return new Presented(token);
    }
}
