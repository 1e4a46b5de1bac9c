package io.pgpilot.backup;

import io.pgpilot.model.Names;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Object names as barman-cloud writes and reads them (facts taken from barman's
 * {@code cloud_walarchive} / {@code cloud_walrestore} / {@code xlog.hash_dir}):
 * <pre>
 *   &lt;prefix&gt;/&lt;serverName&gt;/wals/&lt;first 16 hex of the name&gt;/&lt;walname&gt;[.gz|.bz2|.xz|.snappy|.zst|.lz4]
 *   &lt;prefix&gt;/&lt;serverName&gt;/wals/&lt;timeline&gt;.history[...]            (history files: no sub-directory)
 *   &lt;prefix&gt;/&lt;serverName&gt;/base/&lt;backupId&gt;/backup.info                (base backups, part 2)
 * </pre>
 * {@code .partial} segments and {@code .backup} labels go into their segment's directory like
 * segments. pgpilot's client-side encrypted objects carry one more suffix, {@link #ENCRYPTED_SUFFIX},
 * after the compression suffix: barman-cloud-wal-restore skips them as unknown files instead of
 * handing ciphertext to PostgreSQL. Pure.
 *
 * @param serverPrefix {@code <prefix>/<serverName>} without leading or trailing slash
 */
public record BarmanLayout(String serverPrefix) {

    public static final String ENCRYPTED_SUFFIX = ".pgpenc";
    /** barman's backup ids: {@code YYYYMMDDTHHMMSS}. */
    public static final Pattern BACKUP_ID = Pattern.compile("[0-9]{8}T[0-9]{6}");
    private static final Pattern PREFIX = Pattern.compile("[-a-zA-Z0-9_.]+(/[-a-zA-Z0-9_.]+)*");

    public BarmanLayout {
        if (serverPrefix == null || !PREFIX.matcher(serverPrefix).matches()
                || ("/" + serverPrefix + "/").contains("/../") || ("/" + serverPrefix + "/").contains("/./")) {
            throw new IllegalArgumentException("not an object prefix: " + Names.printable(serverPrefix));
        }
    }

    /** Where a WAL file lives, given how it is stored. */
    public String walKey(WalFileName wal, Compression compression, boolean encrypted) {
        return walDirectory(wal) + wal.name() + compression.suffix() + (encrypted ? ENCRYPTED_SUFFIX : "");
    }

    /** {@code <serverPrefix>/wals/<hashdir>/} (history files: {@code <serverPrefix>/wals/}). */
    public String walDirectory(WalFileName wal) {
        String hash = wal.hashDir();
        return serverPrefix + "/wals/" + (hash.isEmpty() ? "" : hash + "/");
    }

    /** The prefix to list to find every stored variant of a WAL file (other files share it: filter with {@link #variant}). */
    public String walListPrefix(WalFileName wal) {
        return walDirectory(wal) + wal.name();
    }

    /** How a listed key stores {@code wal}; empty when the key is another file (e.g. the .partial of the same segment). */
    public Optional<StoredVariant> variant(WalFileName wal, String key) {
        String base = walDirectory(wal) + wal.name();
        if (!key.startsWith(base)) {
            return Optional.empty();
        }
        String rest = key.substring(base.length());
        boolean encrypted = rest.endsWith(ENCRYPTED_SUFFIX);
        if (encrypted) {
            rest = rest.substring(0, rest.length() - ENCRYPTED_SUFFIX.length());
        }
        return Compression.bySuffix(rest).map(c -> new StoredVariant(key, c, encrypted));
    }

    /** One stored object of a WAL file. */
    public record StoredVariant(String key, Compression compression, boolean encrypted) {
    }

    public static String requireBackupId(String backupId) {
        if (backupId == null || !BACKUP_ID.matcher(backupId).matches()) {
            throw new InvalidNameException(InvalidNameException.Reason.BACKUP_ID,
                    "'" + Names.printable(backupId) + "' is not a backup id (YYYYMMDDTHHMMSS)");
        }
        return backupId;
    }

    /** {@code <serverPrefix>/base/<backupId>/} */
    public String baseDirectory(String backupId) {
        return serverPrefix + "/base/" + requireBackupId(backupId) + "/";
    }

    /** {@code <serverPrefix>/base/<backupId>/backup.info} */
    public String backupInfoKey(String backupId) {
        return baseDirectory(backupId) + "backup.info";
    }

    /** {@code <serverPrefix>/base/}: list it to find every base backup directory. */
    public String baseListPrefix() {
        return serverPrefix + "/base/";
    }

    /** {@code <serverPrefix>/wals/}: every archived WAL file. */
    public String walsPrefix() {
        return serverPrefix + "/wals/";
    }

    /**
     * The base backup's PGDATA tarball as barman-cloud names it: {@code data.tar} plus the
     * compression suffix ({@code .gz}, ...), plus {@link #ENCRYPTED_SUFFIX} when client-side encrypted.
     */
    public String dataKey(String backupId, Compression compression, boolean encrypted) {
        return baseDirectory(backupId) + "data.tar" + compression.suffix() + (encrypted ? ENCRYPTED_SUFFIX : "");
    }

    /** The backup id of a key under {@link #baseListPrefix()}; empty for anything else. */
    public Optional<String> backupIdOf(String key) {
        if (!key.startsWith(baseListPrefix())) {
            return Optional.empty();
        }
        String rest = key.substring(baseListPrefix().length());
        int slash = rest.indexOf('/');
        String id = slash < 0 ? rest : rest.substring(0, slash);
        return BACKUP_ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
    }

    /** How a listed object of a backup directory stores the PGDATA tarball; empty when it is another file. */
    public Optional<StoredData> dataVariant(String backupId, String key) {
        String base = baseDirectory(backupId) + "data.tar";
        if (!key.startsWith(base)) {
            return Optional.empty();
        }
        String rest = key.substring(base.length());
        boolean encrypted = rest.endsWith(ENCRYPTED_SUFFIX);
        if (encrypted) {
            rest = rest.substring(0, rest.length() - ENCRYPTED_SUFFIX.length());
        }
        return Compression.bySuffix(rest).map(c -> new StoredData(key, c, encrypted));
    }

    /** The stored PGDATA tarball of a base backup. */
    public record StoredData(String key, Compression compression, boolean encrypted) {
    }
}
