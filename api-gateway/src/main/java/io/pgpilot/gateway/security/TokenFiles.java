package io.pgpilot.gateway.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The embedded API tokens as files {@code secrets/api-token-<role>} (mode 600, directory 700):
 * created with 32 random bytes (URL-safe base64) when missing, read when present. Rotation:
 * delete a file (or write a new token into it) and restart the gateway.
 */
public final class TokenFiles {

    public static final String PREFIX = "api-token-";
    static final int MIN_LENGTH = 32;
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The tokens, and which files were created now (the rest existed). */
    public record Loaded(Map<Role, String> tokens, Set<Role> created) {
        @Override
        public String toString() {
            return "Loaded[created=" + created + "]";
        }
    }

    private TokenFiles() {
    }

    public static Path file(Path secrets, Role role) {
        return secrets.resolve(PREFIX + role.id());
    }

    public static Loaded ensure(Path secrets) {
        try {
            if (!Files.isDirectory(secrets)) {
                // the home keeps its own mode (PostgreSQL's OS user must traverse it); only secrets/ is private
                Files.createDirectories(secrets.toAbsolutePath().getParent());
                try {
                    Files.createDirectory(secrets, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // another service created it at the same moment
                }
            }
            Map<Role, String> tokens = new EnumMap<>(Role.class);
            Set<Role> created = java.util.EnumSet.noneOf(Role.class);
            for (Role role : Role.values()) {
                Path file = file(secrets, role);
                if (!Files.exists(file)) {
                    write(file, newToken());
                    created.add(role);
                }
                tokens.put(role, read(file));
            }
            return new Loaded(tokens, created);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the API tokens in " + secrets, e);
        }
    }

    static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void write(Path file, String token) throws IOException {
        Path partial = file.resolveSibling("." + file.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        Files.createFile(partial, PosixFilePermissions.asFileAttribute(PRIVATE));
        Files.writeString(partial, token + "\n", StandardCharsets.UTF_8);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A token the user wrote must be long and plain enough; a file readable by others is made private. */
    private static String read(Path file) throws IOException {
        if (!Files.getPosixFilePermissions(file).equals(PRIVATE)) {
            Files.setPosixFilePermissions(file, PRIVATE);
        }
        String token = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (token.length() < MIN_LENGTH || !TOKEN.matcher(token).matches()) {
            throw new IllegalStateException(file + ": an API token must be at least " + MIN_LENGTH
                    + " characters of A-Z a-z 0-9 - _ (delete the file to have a new one generated)");
        }
        return token;
    }
}
