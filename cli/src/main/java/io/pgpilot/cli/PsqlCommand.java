package io.pgpilot.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code psql CLUSTER [--replica] [-- PSQL-ARGS]}: psql on the cluster's {@code -rw} endpoint (or
 * {@code -ro}) as the application user. The password goes through a passfile of mode 600 that is
 * deleted when psql ends; it is never on a command line, in the environment or printed. TLS with
 * {@code sslmode=verify-full} against the cluster's CA when the platform home holds it.
 */
@Command(name = "psql", description = "Open psql on the cluster's rw endpoint (--replica: ro) as the application user; "
        + "arguments after -- go to psql.")
final class PsqlCommand extends Base {

    @Parameters(index = "0", paramLabel = "CLUSTER")
    String cluster;

    @Parameters(index = "1..*", paramLabel = "PSQL-ARGS", description = "passed to psql (after --)")
    List<String> psqlArgs = new ArrayList<>();

    @Option(names = "--replica", description = "connect to the read-only replicas (the -ro endpoint)")
    boolean replica;

    @Override
    public Integer call() throws IOException, InterruptedException {
        requireCluster(cluster);
        Map<String, Object> status = Json.object(api().get(Route.GET_CLUSTER.path(cluster)));
        String endpointName = cluster + (replica ? "-ro" : "-rw");
        Object endpoint = Json.map(status.get("endpoints")).get(endpointName);
        if (endpoint == null) {
            throw new Exit.CliException(Exit.REFUSED, cluster + " has no endpoint " + endpointName + " yet (phase: " + status.get("phase") + ")");
        }
        String hostPort = String.valueOf(endpoint);
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon);
        String port = hostPort.substring(colon + 1);
        Path secrets = api().settings().home().resolve("secrets");
        Map<String, Object> app;
        try {
            app = Json.object(Files.readString(secrets.resolve(cluster + "-app.json"), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new Exit.CliException(Exit.AUTH, "cannot read the application secret " + secrets.resolve(cluster + "-app.json")
                    + " (" + e.getClass().getSimpleName() + "; PGPILOT_HOME?)");
        }
        String user = Json.str(app, "username");
        String database = Json.str(app, "dbname");
        Path dir = Files.createTempDirectory("pgpilot-psql", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path passfile = dir.resolve("pgpass");
        try {
            Files.createFile(passfile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(passfile, passLine(host, port, database, user, Json.str(app, "password")), StandardCharsets.UTF_8);
            List<String> command = new ArrayList<>(List.of(psql(), "-h", host, "-p", port, "-U", user, "-d", database));
            command.addAll(psqlArgs);
            ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
            builder.environment().remove("PGPASSWORD");
            builder.environment().put("PGPASSFILE", passfile.toString());
            Path ca = secrets.resolve(cluster + "-ca.crt");
            if (Files.isReadable(ca)) {
                builder.environment().put("PGSSLMODE", "verify-full");
                builder.environment().put("PGSSLROOTCERT", ca.toString());
            }
            out().flush();
            return builder.start().waitFor(); // psql's own exit code
        } finally {
            Files.deleteIfExists(passfile);
            Files.deleteIfExists(dir);
        }
    }

    /** One line of a .pgpass file, with ':' and '\' escaped. Pure. */
    static String passLine(String host, String port, String database, String user, String password) {
        return String.join(":", escape(host), escape(port), escape(database), escape(user), escape(password)) + "\n";
    }

    private static String escape(String field) {
        return field.replace("\\", "\\\\").replace(":", "\\:");
    }

    private static String psql() {
        String configured = System.getenv("PGPILOT_PSQL");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        Path debian = Path.of("/usr/lib/postgresql/15/bin/psql");
        return Files.isExecutable(debian) ? debian.toString() : "psql";
    }
}
