package io.pgpilot.instance.node.wire;

import io.pgpilot.instance.runtime.ConfigFields;
import io.pgpilot.instance.runtime.InvalidConfigException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The join token both ends of the node agent channel read from a file of their own: the agent
 * ({@code join-token-file}) and the control plane ({@code pgpilot.provisioner.join-token-file}). The
 * file must be private (0600 or stricter) and hold one token of at least 16 printable characters.
 * The token itself is never part of a message.
 */
public final class JoinToken {

    private JoinToken() {
    }

    /** The token (the file's content, trimmed); violations name {@code field} and the file, never the content. */
    public static String read(String owner, String field, Path file) {
        List<String> violations = new ArrayList<>(ConfigFields.privateFileViolations(field, file));
        if (!violations.isEmpty()) {
            throw new InvalidConfigException(owner, violations);
        }
        try {
            String token = java.nio.file.Files.readString(file, StandardCharsets.UTF_8).strip();
            if (token.length() < 16 || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new InvalidConfigException(owner,
                        List.of("field '" + field + "': " + file + " must hold one token of at least 16 printable characters"));
            }
            return token;
        } catch (IOException e) {
            throw new InvalidConfigException(owner, List.of("field '" + field + "': " + file + " cannot be read"));
        }
    }
}
