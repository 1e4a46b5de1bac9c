package io.pgpilot.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CephRgwIT {

    @TempDir
    Path tmp;

    @Test
    void objectLockedVersionsCannotBeDeletedAndABluestoreKeepsItsObjectsAcrossRestarts() {
        CephRgw rgw = new CephRgw(tmp.resolve("rgw"), FreePorts.next(), FreePorts.next(), CephRgw.Store.BLUESTORE);
        try {
            rgw.start();
            rgw.createBucket("locked", true);
            rgw.createBucket("locked", true); // idempotent
            String versionId;
            try (S3Client s3 = rgw.client()) {
                assertThat(s3.getObjectLockConfiguration(b -> b.bucket("locked")).objectLockConfiguration().objectLockEnabled())
                        .isEqualTo(ObjectLockEnabled.ENABLED);
                versionId = s3.putObject(b -> b.bucket("locked").key("a/b").objectLockMode(ObjectLockMode.COMPLIANCE)
                                .objectLockRetainUntilDate(Instant.now().plus(1, ChronoUnit.DAYS)),
                        RequestBody.fromString("kept", StandardCharsets.UTF_8)).versionId();
                assertThatThrownBy(() -> s3.deleteObject(b -> b.bucket("locked").key("a/b").versionId(versionId)))
                        .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
            }
            rgw.stop();
            rgw.start();
            try (S3Client s3 = rgw.client()) {
                assertThat(s3.getObjectAsBytes(b -> b.bucket("locked").key("a/b").versionId(versionId)).asUtf8String()).isEqualTo("kept");
            }
        } finally {
            rgw.stop();
        }
    }
}
