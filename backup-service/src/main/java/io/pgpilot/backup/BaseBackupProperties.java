package io.pgpilot.backup;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * {@code pgpilot.backup.base.*}: the OS user pg_basebackup runs as (root platforms; default
 * postgres), PostgreSQL's programs (empty: detected), the multipart part size in MiB (two parts
 * are in memory per running backup), how long to wait for the end WAL to be archived, how often
 * progress is published, and the longest a base backup may take.
 */
@ConfigurationProperties(prefix = "pgpilot.backup.base")
public record BaseBackupProperties(String osUser, String pgBin, Integer partSizeMib, Duration endWalTimeout,
                                   Duration progressInterval, Duration timeout) {

    public BaseBackupProperties {
        if (osUser == null || osUser.isBlank()) {
            osUser = "postgres";
        }
        if (partSizeMib == null) {
            partSizeMib = 16;
        }
        if (partSizeMib < 5 || partSizeMib > 1024) {
            throw new IllegalArgumentException("pgpilot.backup.base.part-size-mib must be between 5 and 1024");
        }
        if (endWalTimeout == null) {
            endWalTimeout = Duration.ofMinutes(5);
        }
        if (progressInterval == null) {
            progressInterval = Duration.ofSeconds(5);
        }
        if (timeout == null) {
            timeout = Duration.ofHours(12);
        }
    }

    public int partSizeBytes() {
        return partSizeMib * 1024 * 1024;
    }
}
