package io.pgpilot.instance.configuration;

/**
 * Parallel WAL archiving ({@code wal.maxParallel} above 1): a small POSIX shell script rendered
 * into the instance directory (next to the curl configuration, outside the data directory: never
 * in a base backup), run by {@code archive_command} from the data directory. No JVM per call.
 *
 * <p>When PostgreSQL asks to archive {@code %f}, the script also uploads up to
 * {@code maxParallel - 1} other complete segments waiting in {@code pg_wal/archive_status/*.ready}
 * (the next ones PostgreSQL will ask for, oldest first), all concurrently, and waits for all of
 * them. {@code %f}'s command succeeds only when {@code %f} itself was answered 2xx (the backup
 * service answers only once the file is durable in the bucket). Each extra segment answered 2xx
 * gets a spool marker (holding its checksum) written only after that answer; PostgreSQL's later
 * call for that segment returns at once when the file still has that checksum, and removes the
 * marker. A failed upload leaves no marker, so nothing is acknowledged that was not stored; a
 * different file under a marked name is uploaded normally (and refused by the never-overwrite rule).
 * Only plain segment names (24 hex digits) are taken ahead; history, backup-label and partial
 * files go one at a time as before. The bearer token stays in the 0600 curl configuration file.
 */
public final class WalArchiveScript {

    /** The script's file name in the instance directory. */
    public static final String FILE = "pgpilot-wal-archive.sh";
    /** The spool directory of done-markers, in the instance directory. */
    public static final String SPOOL = "wal-archive-spool";

    private WalArchiveScript() {
    }

    /** {@code archive_command} running the script (relative to the data directory, PostgreSQL's working directory). */
    public static String command() {
        return "sh ../" + FILE + " \"%p\" \"%f\"";
    }

    /** The script for a cluster's archiving (values validated by {@link ConfigRenderer.Archiving}). */
    public static String render(ConfigRenderer.Archiving a) {
        if (a.maxParallel() < 2 || a.maxParallel() > 64) {
            throw new IllegalArgumentException("maxParallel must be between 2 and 64 for the parallel archive script");
        }
        return """
                #!/bin/sh
                # managed by pgpilot: parallel WAL archiving (wal.maxParallel), rewritten on every reconcile
                # usage (from the data directory): sh ../%1$s <path> <segment>
                url='%2$s/wal/%3$s'
                max=%4$d
                spool=../%5$s
                p="$1"; f="$2"
                put() {
                  curl -K ../%6$s -sS -f --max-time 120 -H "Content-Type: application/octet-stream" -T "$1" "$url/$2"
                }
                sum() {
                  cksum < "$1" 2>/dev/null
                }
                mkdir -p "$spool" || exit 1
                # a segment uploaded ahead of PostgreSQL's call: done, if it is still the very file stored
                if [ -f "$spool/$f" ]; then
                  if [ "$(cat "$spool/$f")" = "$(sum "$p")" ]; then
                    rm -f "$spool/$f"
                    exit 0
                  fi
                  rm -f "$spool/$f"
                fi
                # the next segments waiting, oldest first (plain segment names only), up to max-1 of them
                ahead=$(ls pg_wal/archive_status 2>/dev/null | sed -n 's/^\\([0-9A-F]\\{24\\}\\)\\.ready$/\\1/p' | sort \\
                  | grep -vx "$f" | head -n $((max - 1)))
                for o in $ahead; do
                  [ -f "$spool/$o" ] && continue
                  (
                    s=$(sum "pg_wal/$o") || exit 0
                    if put "pg_wal/$o" "$o" 2>/dev/null; then
                      printf '%%s' "$s" > "$spool/.$o.tmp" && mv "$spool/.$o.tmp" "$spool/$o"
                    fi
                  ) &
                done
                put "$p" "$f"
                rc=$?
                wait
                # markers nobody asked for within a day (segments archived by another path) are dropped
                find "$spool" -type f -mmin +1440 -delete 2>/dev/null
                exit $rc
                """.formatted(FILE, a.backupServiceUrl(), a.cluster(), a.maxParallel(), SPOOL, ConfigRenderer.CURL_CONFIG);
    }
}
