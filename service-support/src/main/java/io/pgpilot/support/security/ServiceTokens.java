package io.pgpilot.support.security;

import io.pgpilot.events.Json;
import io.pgpilot.model.Names;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The bearer tokens of pgpilot's internal HTTP calls, stored like every other secret under
 * {@code ${pgpilot.home}/secrets/} (directory 700, files 600, written whole then linked into place
 * so a reader never sees half a token, and two services creating one at once agree on it):
 * <ul>
 * <li>{@value #INTERNAL} — service to service (gateway and provisioner to the backup service);</li>
 * <li>{@code <cluster>-wal-token} — one per cluster: its instances archive and fetch only its own WAL
 *     and recovery data with it (handed to curl in a 0600 file, never on a command line).</li>
 * </ul>
 * Tokens are never logged nor put in messages.
 */
public final class ServiceTokens {

    public static final String INTERNAL = "pgpilot-internal-token";
    public static final String CLUSTER_SUFFIX = "-wal-token";
    private static final String KEY = "token";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path directory;

    public ServiceTokens(Path home) {
        this.directory = home.toAbsolutePath().resolve("secrets");
    }

    /** The service-to-service token, created on first use. */
    public String internal() {
        return getOrCreate(INTERNAL);
    }

    /** The cluster's WAL/recovery token, created on first use (by the provisioner, which creates the cluster). */
    public String cluster(String cluster) {
        return getOrCreate(clusterSecret(cluster));
    }

    /** The cluster's token if one was created; never creates one (the backup service only checks). */
    public Optional<String> existingCluster(String cluster) {
        return read(file(clusterSecret(cluster)));
    }

    public Optional<String> existingInternal() {
        return read(file(INTERNAL));
    }

    public static String clusterSecret(String cluster) {
        return Names.requireCluster(cluster) + CLUSTER_SUFFIX;
    }

    public Path file(String name) {
        return directory.resolve(name + ".json");
    }

    /** Constant-time comparison of a presented token with the expected one. */
    public static boolean matches(String expected, String presented) {
        if (expected == null || presented == null || expected.isEmpty()) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    /** The token of an {@code Authorization: Bearer <token>} header value; null when it is not one. */
    public static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).strip();
        return token.isEmpty() ? null : token;
    }

    private synchronized String getOrCreate(String name) {
        Path file = file(name);
        Optional<String> existing = read(file);
        if (existing.isPresent()) {
            return existing.get();
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        try {
            if (!Files.exists(directory)) {
                Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Path temp = Files.createTempFile(directory, "." + name, ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.writeString(temp, Json.MAPPER.writeValueAsString(Map.of(KEY, token)) + "\n");
                Files.createLink(file, temp);
                return token;
            } catch (FileAlreadyExistsException raced) {
                return read(file).orElseThrow(() -> new IllegalStateException("secret " + name + " is unreadable"));
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create secret " + name + " in " + directory, e);
        }
    }

    private static Optional<String> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            Object token = Json.read(Files.readString(file), Map.class).get(KEY);
            return token instanceof String s && !s.isBlank() ? Optional.of(s) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
