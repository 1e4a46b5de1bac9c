package io.pgpilot.provisioner;

import io.pgpilot.events.Json;
import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.configuration.ConfigRenderer;
import io.pgpilot.instance.layout.Files2;
import io.pgpilot.model.Names;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The local analog of CloudNativePG's Secrets: {@code ${pgpilot.home}/secrets/<cluster>-app.json},
 * {@code -superuser.json} and {@code -replication.json}, directory 700 and files 600. Passwords are
 * generated once from {@link SecureRandom} and kept. Nothing here is ever logged.
 */
public final class SecretStore {

    public static final String SUPERUSER = Credentials.SUPERUSER;
    public static final int PASSWORD_LENGTH = 32;
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final Path directory;
    private final SecureRandom random = new SecureRandom();

    public SecretStore(Path home) {
        this.directory = home.resolve("secrets");
    }

    public Path directory() {
        return directory;
    }

    public Path file(String cluster, String kind) {
        return directory.resolve(Names.requireCluster(cluster) + "-" + kind + ".json");
    }

    public synchronized Credentials superuser(String cluster) {
        return credentials(cluster, "superuser", SUPERUSER);
    }

    public synchronized Credentials replication(String cluster) {
        return credentials(cluster, "replication", ConfigRenderer.REPLICATION_USER);
    }

    /** The PgBouncer poolers' own login role (auth_query lookups only). */
    public synchronized Credentials pooler(String cluster) {
        return credentials(cluster, "pooler", PoolerAuthSetup.ROLE);
    }

    /** The app owner's credentials; the secret file is completed by {@link #writeApp}. */
    public synchronized Credentials app(String cluster, String owner) {
        return credentials(cluster, "app", owner);
    }

    /** Completes the app secret with where to connect (the primary), as CloudNativePG's app secret. */
    public synchronized void writeApp(String cluster, String owner, String database, String host, int port) {
        Credentials app = app(cluster, owner);
        Map<String, String> secret = new LinkedHashMap<>();
        secret.put("username", app.username());
        secret.put("password", app.password());
        secret.put("dbname", database);
        secret.put("host", host);
        secret.put("port", String.valueOf(port));
        secret.put("uri", "postgresql://" + app.username() + ":" + app.password() + "@" + host + ":" + port + "/" + database);
        secret.put("jdbc-uri", "jdbc:postgresql://" + host + ":" + port + "/" + database + "?password=" + app.password()
                + "&user=" + app.username());
        write(file(cluster, "app"), secret);
    }

    /** {@code secrets/<cluster>-ca.crt}: the CA that signed the cluster's server certificates, for {@code sslmode=verify-full}. */
    public Path caFile(String cluster) {
        return directory.resolve(Names.requireCluster(cluster) + "-ca.crt");
    }

    /** Publishes the CA certificate next to the app secret (same directory and mode). */
    public synchronized void writeCa(String cluster, String pem) {
        ensureDirectory();
        Files2.writePrivate(caFile(cluster), pem, null);
    }

    public synchronized void delete(String cluster) {
        for (String kind : new String[] {"app", "superuser", "replication", "pooler"}) {
            try {
                Files.deleteIfExists(file(cluster, kind));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            Files.deleteIfExists(caFile(cluster));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Credentials credentials(String cluster, String kind, String username) {
        Path file = file(cluster, kind);
        try {
            if (Files.exists(file)) {
                @SuppressWarnings("unchecked")
                Map<String, String> existing = Json.read(Files.readString(file), Map.class);
                if (existing.get("password") != null && username.equals(existing.get("username"))) {
                    return new Credentials(username, existing.get("password"));
                }
            }
        } catch (IOException e) {
            throw new ProvisioningException(ProvisioningException.Reason.SECRETS, "cannot read secret " + file.getFileName(), e);
        }
        Map<String, String> secret = new LinkedHashMap<>();
        secret.put("username", username);
        secret.put("password", newPassword());
        write(file, secret);
        return new Credentials(username, secret.get("password"));
    }

    private void write(Path file, Map<String, String> secret) {
        ensureDirectory();
        Files2.writePrivate(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(secret) + "\n", null);
    }

    private void ensureDirectory() {
        try {
            if (!Files.exists(directory)) {
                Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new ProvisioningException(ProvisioningException.Reason.SECRETS, "cannot create " + directory, e);
        }
    }

    String newPassword() {
        StringBuilder out = new StringBuilder(PASSWORD_LENGTH);
        for (int i = 0; i < PASSWORD_LENGTH; i++) {
            out.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return out.toString();
    }
}
