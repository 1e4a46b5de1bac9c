package io.pgpilot.health;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Is the postmaster of a data directory alive? Reads the pid from postmaster.pid. */
final class PostmasterCheck {

    private PostmasterCheck() {
    }

    /** SIGINT to the postmaster: PostgreSQL's fast shutdown (clients cut, clean checkpoint). */
    static boolean fastShutdown(Path dataDirectory) {
        try {
            String first = Files.readAllLines(dataDirectory.resolve("postmaster.pid")).stream().findFirst().orElse("").trim();
            long pid = Long.parseLong(first);
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(pid)).redirectErrorStream(true).start();
            return kill.waitFor() == 0;
        } catch (IOException | NumberFormatException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static boolean isAlive(Path dataDirectory) {
        try {
            Path pidFile = dataDirectory.resolve("postmaster.pid");
            if (!Files.exists(pidFile)) {
                return false;
            }
            String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
            long pid = Long.parseLong(first);
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            // a data directory we may not read (other OS user) or a half-written pid file:
            // fall back to /proc scanning is not worth it; unknown counts as not provably alive
            return false;
        }
    }
}
