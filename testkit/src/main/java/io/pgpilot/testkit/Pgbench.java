package io.pgpilot.testkit;

import io.pgpilot.local.PostgresBinaries;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PostgreSQL's pgbench as a benchmark client: the password in the environment, never on the command line. */
public final class Pgbench {

    /** What a run printed and the figures read from it. */
    public record Result(int exitCode, String output) {
        private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\((?:without initial connection time|including reconnection times)\\)");
        private static final Pattern PROCESSED = Pattern.compile("number of transactions actually processed: (\\d+)");
        private static final Pattern FAILED = Pattern.compile("number of failed transactions: (\\d+)");
        private static final Pattern CONNECTION = Pattern.compile("average connection time = ([0-9.]+) ms");
        private static final Pattern ABORTED = Pattern.compile("client \\d+ aborted");

        public double tps() {
            return number(TPS, "tps");
        }

        public long processed() {
            return (long) number(PROCESSED, "processed transactions");
        }

        public long failed() {
            Matcher m = FAILED.matcher(output);
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        }

        /** Clients that stopped on an error (pgbench aborts a client at its first error). */
        public long abortedClients() {
            return ABORTED.matcher(output).results().count();
        }

        public double averageConnectionMillis() {
            return number(CONNECTION, "average connection time");
        }

        private double number(Pattern pattern, String what) {
            Matcher m = pattern.matcher(output);
            if (!m.find()) {
                throw new IllegalStateException("no " + what + " in pgbench output: " + output);
            }
            return Double.parseDouble(m.group(1));
        }
    }

    private Pgbench() {
    }

    /** Runs pgbench against {@code hostPort} as {@code user} on {@code database}; fails if it does not end in time. */
    public static Result run(String hostPort, String user, String password, String database, List<String> options, Path workDir) {
        int colon = hostPort.lastIndexOf(':');
        List<String> command = new ArrayList<>(List.of(PostgresBinaries.detect().tool("pgbench"), "-h", hostPort.substring(0, colon),
                "-p", hostPort.substring(colon + 1), "-U", user));
        command.addAll(options);
        command.add(database);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        builder.environment().put("PGPASSWORD", password);
        try {
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(20, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("pgbench " + options + " did not end");
            }
            return new Result(process.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run pgbench", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Like {@link #run} but a non-zero exit is an error. */
    public static Result runOk(String hostPort, String user, String password, String database, List<String> options, Path workDir) {
        Result result = run(hostPort, user, password, database, options, workDir);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("pgbench " + options + " failed: " + result.output());
        }
        return result;
    }
}
