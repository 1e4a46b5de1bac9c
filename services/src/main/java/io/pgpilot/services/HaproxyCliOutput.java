package io.pgpilot.services;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for the HAProxy 2.6 master CLI answers we rely on. Pure. */
public final class HaproxyCliOutput {

    /** {@code show proc}: the master's reload count, the current worker(s) and the old workers still draining. */
    public record Processes(long masterPid, int reloads, List<Long> workers, List<Long> oldWorkers) {
    }

    /** One line of {@code show sess}: a session id and the backend/server it goes to. */
    public record Session(String id, String backend, String server) {
    }

    private static final Pattern SESSION = Pattern.compile(
            "^(0x[0-9a-fA-F]+): .*?\\bbe=(\\S+) srv=(\\S+)");

    private HaproxyCliOutput() {
    }

    public static Processes parseProcesses(String text) {
        long master = -1;
        int reloads = -1;
        List<Long> workers = new ArrayList<>();
        List<Long> old = new ArrayList<>();
        String section = "master";
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#<PID>")) {
                continue;
            }
            if (line.startsWith("#")) {
                section = line.substring(1).strip();
                continue;
            }
            String[] fields = line.split("\\s+");
            if (fields.length < 3 || !fields[0].chars().allMatch(Character::isDigit)) {
                continue;
            }
            long pid = Long.parseLong(fields[0]);
            if ("master".equals(fields[1])) {
                master = pid;
                reloads = Integer.parseInt(fields[2]);
            } else if ("worker".equals(fields[1])) {
                (section.equals("old workers") ? old : workers).add(pid);
            }
        }
        return new Processes(master, reloads, List.copyOf(workers), List.copyOf(old));
    }

    public static List<Session> parseSessions(String text) {
        List<Session> sessions = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = SESSION.matcher(line);
            if (m.find()) {
                sessions.add(new Session(m.group(1), m.group(2), m.group(3)));
            }
        }
        return sessions;
    }
}
