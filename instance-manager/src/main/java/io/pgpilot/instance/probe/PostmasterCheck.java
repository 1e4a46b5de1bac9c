package io.pgpilot.instance.probe;

import io.pgpilot.local.Processes;

import java.io.IOException;
import java.nio.file.Path;

/** Is the postmaster of a data directory alive? Reads the pid from postmaster.pid. */
public final class PostmasterCheck {

    private PostmasterCheck() {
    }

    /** SIGINT to the postmaster: PostgreSQL's fast shutdown (clients cut, clean checkpoint). */
    public static boolean fastShutdown(Path dataDirectory) {
        long pid = Processes.postmasterPid(dataDirectory);
        if (pid <= 0) {
            return false;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(pid)).redirectErrorStream(true).start();
            return kill.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public static boolean isAlive(Path dataDirectory) {
        return Processes.isRunning(Processes.postmasterPid(dataDirectory));
    }
}
