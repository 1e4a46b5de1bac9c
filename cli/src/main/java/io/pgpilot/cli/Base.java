package io.pgpilot.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** What every command has: the connection options, the gateway client, stdout. */
abstract class Base implements Callable<Integer> {

    @Mixin
    Connection connection;

    @Spec
    CommandSpec spec;

    private Api api;

    Api api() {
        if (api == null) {
            api = new Api(connection.resolve());
        }
        return api;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** The progress bar redraws in place only on a terminal. */
    ProgressBar progress() {
        return new ProgressBar(System.out, System.console() != null && System.console().isTerminal());
    }

    static void requireCluster(String name) {
        if (name == null || !io.pgpilot.model.Names.CLUSTER.matcher(name).matches()) {
            throw new Exit.CliException(Exit.USAGE, "'" + Connection.printable(name) + "' is not a cluster name (lower case letters, digits, '-')");
        }
    }

    static void requireInstance(String name) {
        if (name == null || !io.pgpilot.model.Names.INSTANCE.matcher(name).matches()) {
            throw new Exit.CliException(Exit.USAGE, "'" + Connection.printable(name) + "' is not an instance name (<cluster>-<n>)");
        }
    }
}
