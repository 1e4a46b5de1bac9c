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

    /**
     * Stopped by a signal (SIGSTOP, SIGTSTP: state {@code T} in /proc); a traced process ({@code t},
     * a debugger) is not counted. A stopped process runs nothing until SIGCONT.
     */
    public static boolean isStopped(long pid) {
        if (pid <= 0) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 1).strip().startsWith("T");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * SIGKILL to a process and every descendant (children first listed, then the process): a
     * stopped process dies at once, without running again. Returns how many were signalled.
     */
    public static int killTree(long pid) {
        var root = ProcessHandle.of(pid);
        if (root.isEmpty()) {
            return 0;
        }
        var all = new java.util.ArrayList<ProcessHandle>(root.get().descendants().toList());
        all.add(root.get());
        int signalled = 0;
        for (ProcessHandle p : all) {
            if (p.destroyForcibly()) {
                signalled++;
            }
        }
        return signalled;
    }
}
