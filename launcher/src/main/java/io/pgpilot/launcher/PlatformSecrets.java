package io.pgpilot.launcher;

import io.pgpilot.events.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/** Files the local platform writes under {@code home/secrets} (directory 700, files 600, replaced atomically). */
final class PlatformSecrets {

    private PlatformSecrets() {
    }

    /** {@code secrets/s3-creds.json} with the local store's keys. */
    static void writeS3Secret(Path home, CephRgw store) {
        write(home, LocalPlatform.S3_SECRET + ".json", Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(
                Map.of("ACCESS_KEY_ID", store.accessKey(), "SECRET_ACCESS_KEY", store.secretKey())) + "\n");
    }

    /** The node agents' join token ({@code secrets/join-token}, random), written unless one exists. */
    static Path ensureJoinToken(Path home) {
        Path file = joinTokenFile(home);
        if (!Files.exists(file)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            write(home, file.getFileName().toString(), HexFormat.of().formatHex(random) + "\n");
        }
        return file;
    }

    static Path joinTokenFile(Path home) {
        return home.resolve("secrets").resolve("join-token");
    }

    private static void write(Path home, String name, String content) {
        try {
            Path dir = home.resolve("secrets");
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Path file = dir.resolve(name);
            Path partial = dir.resolve(name + ".partial");
            Files.deleteIfExists(partial);
            Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(partial, content);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
