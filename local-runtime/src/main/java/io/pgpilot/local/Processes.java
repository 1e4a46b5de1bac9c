package io.pgpilot.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Process liveness as PostgreSQL's own tools would judge it. */
public final class Processes {

    private Processes() {
    }

    /**
     * A process that has exited but was not reaped yet (a zombie waiting for its parent, which
     * here can take seconds) counts as gone: it can neither serve nor write anything.
     */
    public static boolean isRunning(long pid) {
        if (pid <= 0 || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String afterName = stat.substring(stat.lastIndexOf(')') + 1).strip();
            return !afterName.startsWith("Z") && !afterName.startsWith("X");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The pid in the first line of a data directory's postmaster.pid, or -1. */
    public static long postmasterPid(Path dataDirectory) {
        try {
            var lines = Files.readAllLines(dataDirectory.resolve("postmaster.pid"));
            return lines.isEmpty() ? -1 : Long.parseLong(lines.getFirst().trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
