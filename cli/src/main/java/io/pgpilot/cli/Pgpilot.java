package io.pgpilot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code pgpilot}: the command-line tool for the platform, like {@code kubectl cnpg} (also run as
 * {@code kubectl pgpilot} when installed as {@code kubectl-pgpilot}). Every command talks to the
 * gateway's REST API; exit codes in {@link Exit}.
 */
@Command(name = "pgpilot", mixinStandardHelpOptions = true, version = "pgpilot 0.1.0",
        description = "Manage pgpilot's PostgreSQL clusters through the gateway (like kubectl cnpg).",
        subcommands = {ClusterCommands.Status.class, ClusterCommands.Get.class, ClusterCommands.Apply.class, ClusterCommands.Delete.class,
                RoleCommands.Promote.class, RoleCommands.Switchover.class, RoleCommands.Fence.class, RoleCommands.Unfence.class,
                RoleCommands.Restart.class, BackupCommands.Backup.class, BackupCommands.Backups.class, BackupCommands.Restore.class,
                PsqlCommand.class, LogsCommand.class, EventsCommand.class, ReportCommand.class},
        footer = {"", "Exit codes: 0 done, 1 operation failed, 2 usage, 3 not found,",
                "4 refused by the gateway, 5 authentication/role, 6 gateway or service",
                "unavailable, 7 timed out waiting; psql: psql's own."})
public final class Pgpilot implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; the exit code (tests call this). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Pgpilot());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof Exit.CliException failure) {
                out.flush();
                err.println("error: " + failure.getMessage());
                err.flush();
                return failure.code();
            }
            throw e;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("error: " + e.getMessage());
            e.getCommandLine().usage(err);
            return Exit.USAGE;
        });
        int code = cli.execute(args);
        out.flush();
        return code;
    }
}
