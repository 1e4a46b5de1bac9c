package io.pgpilot.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Map;

/** {@code promote}, {@code switchover}, {@code fence}, {@code unfence}, {@code restart}: one command to the platform each. */
final class RoleCommands {

    private RoleCommands() {
    }

    /** Prints what the gateway accepted: "switchover of postgres-cluster to postgres-cluster-2 accepted (command ...)". */
    static int accepted(Base command, String what, String body) {
        Map<String, Object> answer = Json.object(body);
        command.out().println(what + " accepted" + (answer.get("commandId") == null ? "" : " (command " + answer.get("commandId") + ")"));
        return Exit.OK;
    }

    @Command(name = "promote", description = "Make INSTANCE the primary (a planned switchover to it).")
    static final class Promote extends Base {
        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;
        @Parameters(index = "1", paramLabel = "INSTANCE")
        String instance;

        @Override
        public Integer call() {
            requireCluster(cluster);
            requireInstance(instance);
            return accepted(this, "promotion of " + instance, api().call("POST", Route.PROMOTE.path(cluster, instance), null, null));
        }
    }

    @Command(name = "switchover", description = "Planned switchover to --to INSTANCE or to the most advanced healthy replica.")
    static final class Switchover extends Base {
        @Parameters(paramLabel = "CLUSTER")
        String cluster;
        @Option(names = "--to", paramLabel = "INSTANCE")
        String target;

        @Override
        public Integer call() {
            requireCluster(cluster);
            String body = null;
            if (target != null) {
                requireInstance(target);
                body = Json.write(Map.of("target", target));
            }
            String answer = api().call("POST", Route.SWITCHOVER.path(cluster), body == null ? null : "application/json", body);
            Object to = Json.object(answer).get("instance");
            return accepted(this, "switchover of " + cluster + " to " + to, answer);
        }
    }

    @Command(name = "fence", description = "Stop INSTANCE and keep it out of every endpoint until unfenced (the primary too: no failover).")
    static final class Fence extends Base {
        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;
        @Parameters(index = "1", paramLabel = "INSTANCE")
        String instance;

        @Override
        public Integer call() {
            requireCluster(cluster);
            requireInstance(instance);
            return accepted(this, "fencing of " + instance, api().call("POST", Route.FENCE.path(cluster, instance), null, null));
        }
    }

    @Command(name = "unfence", description = "Bring a fenced INSTANCE back (it rejoins as a standby).")
    static final class Unfence extends Base {
        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;
        @Parameters(index = "1", paramLabel = "INSTANCE")
        String instance;

        @Override
        public Integer call() {
            requireCluster(cluster);
            requireInstance(instance);
            return accepted(this, "unfencing of " + instance, api().call("POST", Route.UNFENCE.path(cluster, instance), null, null));
        }
    }

    @Command(name = "restart", description = "Rolling restart: replicas one at a time, then the primary by switchover.")
    static final class Restart extends Base {
        @Parameters(paramLabel = "CLUSTER")
        String cluster;

        @Override
        public Integer call() {
            requireCluster(cluster);
            Map<String, Object> answer = Json.object(api().call("POST", Route.RESTART.path(cluster), null, null));
            out().println("rolling restart of " + cluster + " requested (generation " + answer.get("generation") + ")");
            return Exit.OK;
        }
    }
}
