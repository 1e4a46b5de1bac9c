package io.pgpilot.backup;

import io.pgpilot.support.security.SecretFiles;
import io.pgpilot.backup.WalArchive.AlreadyArchived;
import io.pgpilot.backup.WalArchive.ArchiveOutcome;
import io.pgpilot.backup.WalArchive.Conflict;
import io.pgpilot.backup.WalArchive.Stored;
import io.pgpilot.model.Names;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL's archive and restore endpoint. {@code archive_command} PUTs a WAL file to
 * {@code /wal/{cluster}/{walName}} and succeeds only on 2xx, which is answered only once the
 * object is durable in the bucket (201 stored, 200 already archived with the same content);
 * {@code restore_command} GETs it back (404 when absent). Errors: 400 invalid names, 404 no backup
 * plan, 409 a different file of that name is archived (never overwritten), 413 too large,
 * 503 the store failed (PostgreSQL keeps the file and retries).
 */
@RestController
class WalController {

    private final WalService wal;
    private final long maxBytes;

    WalController(WalService wal, BackupProperties properties) {
        this.wal = wal;
        this.maxBytes = properties.maxWalBytes();
    }

    @PutMapping("/wal/{cluster}/{walName}")
    ResponseEntity<Map<String, Object>> archive(@PathVariable String cluster, @PathVariable String walName,
                                                HttpServletRequest request) throws IOException {
        requireCluster(cluster);
        WalFileName name = WalFileName.parse(walName);
        if (request.getContentLengthLong() > maxBytes) {
            return error(HttpStatus.CONTENT_TOO_LARGE, "a WAL file larger than " + maxBytes + " bytes is refused");
        }
        byte[] content = readBounded(request.getInputStream());
        if (content == null) {
            return error(HttpStatus.CONTENT_TOO_LARGE, "a WAL file larger than " + maxBytes + " bytes is refused");
        }
        ArchiveOutcome outcome = wal.archive(cluster, name, content);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("wal", name.name());
        body.put("key", outcome.key());
        return switch (outcome) {
            case Stored s -> {
                body.put("outcome", "stored");
                body.put("bytes", s.bytes());
                body.put("storedBytes", s.storedBytes());
                body.put("retainUntil", s.retainUntil() == null ? null : s.retainUntil().toString());
                yield ResponseEntity.status(HttpStatus.CREATED).body(body);
            }
            case AlreadyArchived a -> {
                body.put("outcome", "already-archived");
                yield ResponseEntity.ok(body);
            }
            case Conflict c -> {
                body.put("outcome", "conflict");
                body.put("error", c.reason());
                yield ResponseEntity.status(HttpStatus.CONFLICT).body(body);
            }
        };
    }

    @GetMapping("/wal/{cluster}/{walName}")
    ResponseEntity<byte[]> restore(@PathVariable String cluster, @PathVariable String walName) {
        requireCluster(cluster);
        WalFileName name = WalFileName.parse(walName);
        return wal.restore(cluster, name)
                .map(bytes -> ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).body(bytes))
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND).build());
    }

    @GetMapping("/archiving")
    List<ArchiveStatus.Snapshot> status() {
        return wal.status();
    }

    @GetMapping("/archiving/{cluster}")
    ResponseEntity<ArchiveStatus.Snapshot> status(@PathVariable String cluster) {
        requireCluster(cluster);
        return ResponseEntity.of(wal.status(cluster));
    }

    private byte[] readBounded(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            total += n;
            if (total > maxBytes) {
                return null;
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private static void requireCluster(String cluster) {
        if (!Names.CLUSTER.matcher(cluster).matches()) {
            throw new InvalidNameException(InvalidNameException.Reason.WAL_NAME, "'" + Names.printable(cluster) + "' is not a cluster name");
        }
    }

    @ExceptionHandler(InvalidNameException.class)
    ResponseEntity<Map<String, Object>> invalid(InvalidNameException e) {
        return error(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    @ExceptionHandler(WalService.NoPlanException.class)
    ResponseEntity<Map<String, Object>> noPlan(WalService.NoPlanException e) {
        return error(HttpStatus.NOT_FOUND, e.getMessage());
    }

    @ExceptionHandler(ObjectStore.StoreException.class)
    ResponseEntity<Map<String, Object>> store(ObjectStore.StoreException e) {
        return error(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    }

    @ExceptionHandler(SecretFiles.SecretException.class)
    ResponseEntity<Map<String, Object>> secret(SecretFiles.SecretException e) {
        return error(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    }

    @ExceptionHandler({WalArchive.UnreadableException.class, UnsupportedOperationException.class})
    ResponseEntity<Map<String, Object>> unreadable(RuntimeException e) {
        return error(HttpStatus.UNPROCESSABLE_CONTENT, e.getMessage());
    }

    private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status.value());
        body.put("error", String.valueOf(message));
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(body);
    }
}
