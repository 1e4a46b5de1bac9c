package io.pgpilot.provisioner;

/** One step of a reconcile pass, decided by {@link ReconcilePlanner} and carried out by {@link ClusterReconciler}. */
public sealed interface ReconcileAction {

    /** initdb, configure, start, create roles and database: the first instance of a cluster. */
    record CreatePrimary(int ordinal) implements ReconcileAction {
    }

    /** pg_basebackup from the primary, standby configuration, start. */
    record CreateReplica(int ordinal, int primaryOrdinal) implements ReconcileAction {
    }

    /** An existing instance that is not running. */
    record Start(int ordinal) implements ReconcileAction {
    }

    /**
     * Rewrite managed and user configuration on every kept instance (synchronous standbys are the
     * kept, initialized instances at the time it runs) and reload where it changed.
     */
    record ConfigureAll(int primaryOrdinal) implements ReconcileAction {
    }

    /** Create missing roles and database on the primary and refresh the app secret. */
    record EnsureDatabase(int primaryOrdinal) implements ReconcileAction {
    }

    /** Scale down: stop and remove an instance that is not the primary. */
    record Delete(int ordinal) implements ReconcileAction {
    }
}
