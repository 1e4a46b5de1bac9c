package io.pgpilot.instance.configuration;

/**
 * WAL prefetch for an archive recovery ({@code wal.maxParallel} of the source's object store above
 * 1, as CloudNativePG uses it for restores too): a POSIX shell script rendered into the instance
 * directory, run by {@code restore_command} from the data directory. No JVM per call.
 *
 * <p>A segment already prefetched is moved into place ({@code %p}) and so used once. Otherwise the
 * asked segment and the next {@code prefetch - 1} segment names of the same timeline (16 MB
 * segments) are downloaded in parallel; the call waits for all of them, so replay then takes the
 * next ones from local disk instead of one round trip each. A prefetched file is kept only when it
 * came complete with 200 (written under a temporary name, renamed after); a 404 or a failure of a
 * prefetch leaves nothing, so the later call for that segment asks the service itself and answers
 * as {@link ConfigRenderer#recoveryRestoreCommand} always did: 404 exit 1 (the end of the archive:
 * recovery ends), anything else exit 200 (PostgreSQL stops with FATAL, never ends recovery short).
 * Archived WAL is never overwritten, so a file under a segment's name is that segment's content;
 * names carry the timeline, and every call that downloads drops whatever is outside its own
 * window (older segments, another timeline), so at most {@code prefetch - 1} files are kept.
 */
public final class WalRestoreScript {

    public static final String FILE = "pgpilot-wal-restore.sh";
    /** Prefetched segments, in the instance directory (outside the data directory). */
    public static final String PREFETCH = "wal-prefetch";

    private WalRestoreScript() {
    }

    /** {@code restore_command} running the script (relative to the data directory, PostgreSQL's working directory). */
    public static String command() {
        return "sh ../" + FILE + " \"%f\" \"%p\"";
    }

    public static String render(ConfigRenderer.Recovery r) {
        if (r.prefetch() < 2 || r.prefetch() > 64) {
            throw new IllegalArgumentException("prefetch must be between 2 and 64 for the prefetching restore script");
        }
        return """
                #!/bin/sh
                # managed by pgpilot: archive recovery with WAL prefetch, rewritten on every reconcile
                # usage (from the data directory): sh ../%1$s <walName> <path>
                url='%2$s/recovery/%3$s/wal'
                max=%4$d
                dir=../%5$s
                f="$1"; p="$2"
                # 0: complete with 200; 1: 404 (not archived); 2: anything else
                fetch() {
                  code=$(curl -K ../%6$s -sS --max-time 120 -o "$2" -w '%%{http_code}' "$url/$1")
                  rc=$?
                  if [ "$rc" = 0 ] && [ "$code" = 200 ]; then return 0; fi
                  rm -f "$2"
                  if [ "$rc" = 0 ] && [ "$code" = 404 ]; then return 1; fi
                  echo "restore of $1 failed: HTTP $code (curl exit $rc)" >&2
                  return 2
                }
                mkdir -p "$dir" || exit 200
                # prefetched: used once
                if [ -f "$dir/$f" ] && mv -f "$dir/$f" "$p"; then
                  exit 0
                fi
                # the next segment names of the same timeline (16 MB segments: 256 per log id)
                ahead=""
                if printf '%%s' "$f" | grep -qx '[0-9A-F]\\{24\\}'; then
                  t=$(printf '%%s' "$f" | cut -c1-8)
                  n=$(( 0x$(printf '%%s' "$f" | cut -c9-16) * 256 + 0x$(printf '%%s' "$f" | cut -c17-24) ))
                  i=1
                  while [ "$i" -lt "$max" ]; do
                    m=$((n + i))
                    ahead="$ahead $(printf '%%s%%08X%%08X' "$t" $((m / 256)) $((m %% 256)))"
                    i=$((i + 1))
                  done
                fi
                # nothing outside this window is kept (older segments, another timeline, leftovers)
                for old in "$dir"/* "$dir"/.*.tmp; do
                  [ -e "$old" ] || continue
                  keep=no
                  for a in $ahead; do
                    [ "${old##*/}" = "$a" ] && keep=yes
                  done
                  [ "$keep" = yes ] || rm -f "$old"
                done
                for a in $ahead; do
                  [ -f "$dir/$a" ] && continue
                  ( fetch "$a" "$dir/.$a.tmp" 2>/dev/null && mv -f "$dir/.$a.tmp" "$dir/$a" ) &
                done
                fetch "$f" "$p"
                rc=$?
                wait
                case $rc in
                  0) exit 0 ;;
                  1) exit 1 ;;
                esac
                exit 200
                """.formatted(FILE, r.backupServiceUrl(), r.cluster(), r.prefetch(), PREFETCH, ConfigRenderer.CURL_CONFIG);
    }
}
