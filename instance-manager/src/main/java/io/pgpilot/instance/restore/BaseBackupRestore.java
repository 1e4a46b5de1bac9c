package io.pgpilot.instance.restore;

import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.configuration.ConfigRenderer;
import io.pgpilot.instance.layout.Files2;
import io.pgpilot.instance.layout.InstanceDirectories;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.PostgresHost;
import io.pgpilot.instance.lifecycle.Postmaster;
import io.pgpilot.instance.lifecycle.ServerLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Bootstrap from a base backup ({@code bootstrap.recovery}): a fresh data directory filled from the
 * backup, prepared for archive recovery, and the wait for that recovery to end with the promotion.
 */
public final class BaseBackupRestore {

    private final PostgresHost host;
    private final InstanceDirectories directories;

    public BaseBackupRestore(PostgresHost host, InstanceDirectories directories) {
        this.host = host;
        this.directories = directories;
    }

    /**
     * A fresh data directory filled from a plain tar stream (the backup service's decrypted,
     * decompressed base backup), extracted by {@code tar} as the OS user; nothing is staged. Then
     * what must not come from the source is removed (signal files, pid files) and the recovery
     * configuration, pg_hba/pg_ident for the role reset and recovery.signal are written.
     */
    public void restoreBaseBackup(InstanceLayout layout, java.io.InputStream tar) {
        directories.freshDataDirectory(layout);
        List<String> command = host.user().wrap(List.of("tar", "-x", "-f", "-", "-C", layout.pgdata().toString()));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).directory(layout.directory().toFile()).start();
            var output = new java.io.ByteArrayOutputStream();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    process.getInputStream().transferTo(output);
                } catch (IOException ignored) {
                    // ended
                }
            });
            try (var in = tar; var out = process.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                process.destroyForcibly();
                throw new RecoveryException(RecoveryException.Reason.UNAVAILABLE, "the base backup stream broke off: " + e.getMessage());
            }
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new RecoveryException(RecoveryException.Reason.FAILED, "tar did not finish");
            }
            reader.join(2000);
            if (process.exitValue() != 0) {
                throw new RecoveryException(RecoveryException.Reason.FAILED, "tar failed: " + output.toString(StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run tar", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecoveryException(RecoveryException.Reason.FAILED, "interrupted");
        }
        if (!Files.exists(layout.pgdata().resolve("PG_VERSION")) || !Files.exists(layout.pgdata().resolve("backup_label"))) {
            throw new RecoveryException(RecoveryException.Reason.FAILED, "the base backup has no PG_VERSION or backup_label");
        }
        try {
            for (String leftover : List.of("recovery.signal", "standby.signal", "postmaster.pid", "postmaster.opts", "recovery.conf")) {
                Files.deleteIfExists(layout.pgdata().resolve(leftover));
            }
            for (String dir : List.of("pg_wal", "pg_wal/archive_status")) {
                if (!Files.isDirectory(layout.pgdata().resolve(dir))) {
                    host.user().createPrivateDirectory(layout.pgdata().resolve(dir));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Files2.writePrivate(layout.pgdata().resolve("pg_hba.conf"), ConfigRenderer.recoveryHba(), host.user());
        Files2.writePrivate(layout.pgdata().resolve("pg_ident.conf"), ConfigRenderer.recoveryIdent(host.user().name()), host.user());
        try {
            Path conf = layout.pgdata().resolve("postgresql.conf");
            String text = Files.exists(conf) ? Files.readString(conf, StandardCharsets.UTF_8) : "";
            Files2.writePrivate(conf, ConfigRenderer.withIncludes(text), host.user());
        } catch (IOException e) {
            throw new ProvisioningException(Reason.CONFIGURE, "cannot write configuration of " + layout.instance(), e);
        }
        Files2.writePrivate(layout.pgdata().resolve("recovery.signal"), "", host.user());
    }

    /**
     * Waits until archive recovery ended with the promotion (PostgreSQL removes recovery.signal and
     * accepts writes) or the server stopped; a stop is reported with what its log says
     * ("recovery ended before configured recovery target was reached": the archive lacks WAL).
     */
    public void awaitPromotion(InstanceLayout layout, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean running = Postmaster.isRunning(layout);
            if (running && !Files.exists(layout.pgdata().resolve("recovery.signal"))) {
                return;
            }
            if (!running) {
                String tail = ServerLog.recovery(layout);
                throw new RecoveryException(RecoveryException.classify(tail), "PostgreSQL stopped during recovery: " + tail);
            }
            if (System.nanoTime() > deadline) {
                throw new RecoveryException(RecoveryException.Reason.FAILED, "recovery did not end within " + timeout.toMinutes() + " min");
            }
            Postmaster.sleep(200);
        }
    }
}
