package io.pgpilot.backup;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * {@code pgpilot.backup.*}: the S3 endpoint for manifests without {@code endpointURL} (the local
 * store that LocalPlatform starts; empty: none, such manifests fail to archive), the region when the credentials secret names none,
 * the KMS key id for {@code aws:kms}, the largest WAL file accepted (16 MiB segments plus headroom)
 * and the timeout of one S3 call.
 */
@ConfigurationProperties(prefix = "pgpilot.backup")
public record BackupProperties(String defaultEndpointUrl, String region, String kmsKeyId, Long maxWalBytes, Duration s3Timeout) {

    private static final Pattern URL = Pattern.compile("https?://[-a-zA-Z0-9.:\\[\\]]+(/[-a-zA-Z0-9_./]*)?");

    public BackupProperties {
        if (defaultEndpointUrl != null && defaultEndpointUrl.isBlank()) {
            defaultEndpointUrl = null;
        }
        if (defaultEndpointUrl != null && !URL.matcher(defaultEndpointUrl).matches()) {
            throw new IllegalArgumentException("pgpilot.backup.default-endpoint-url is not an http(s) URL");
        }
        if (region == null || region.isBlank()) {
            region = "us-east-1";
        }
        if (maxWalBytes == null) {
            maxWalBytes = 17L * 1024 * 1024;
        }
        if (maxWalBytes < 1024 || maxWalBytes > 1L << 30) {
            throw new IllegalArgumentException("pgpilot.backup.max-wal-bytes must be between 1 KiB and 1 GiB");
        }
        if (s3Timeout == null) {
            s3Timeout = Duration.ofSeconds(30);
        }
    }
}
