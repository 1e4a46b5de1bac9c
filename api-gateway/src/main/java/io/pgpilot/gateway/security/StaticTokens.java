package io.pgpilot.gateway.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The embedded tokens, one per role, kept only as SHA-256 digests. A presented token is compared
 * with every role's digest in constant time ({@link MessageDigest#isEqual}), whatever matches.
 */
public final class StaticTokens {

    private final Map<Role, byte[]> digests = new EnumMap<>(Role.class);

    public StaticTokens(Map<Role, String> tokens) {
        tokens.forEach((role, token) -> digests.put(role, sha256(token)));
    }

    public Optional<Principal> match(String token) {
        byte[] presented = sha256(token);
        Role found = null;
        for (Map.Entry<Role, byte[]> e : digests.entrySet()) {
            if (MessageDigest.isEqual(presented, e.getValue())) {
                found = e.getKey();
            }
        }
        return found == null ? Optional.empty() : Optional.of(Principal.ofToken(found));
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
