package io.pgpilot.events;

import java.util.List;
import java.util.Map;

/** Every Kafka topic of the platform, keyed by cluster name (instance records by cluster/instance). */
public final class Topics {

    /** Desired state, one record per cluster; a tombstone deletes the cluster. */
    public static final String SPECS = "pgpilot.cluster.specs";
    /** Switchover, promote, restart, fence, backup and restore requests. */
    public static final String COMMANDS = "pgpilot.cluster.commands";
    /** One per instance per interval. */
    public static final String HEARTBEATS = "pgpilot.instance.heartbeats";
    /** Current primary, replicas, timeline and epoch; written only by the failover service. */
    public static final String TOPOLOGY = "pgpilot.cluster.topology";
    /** What happened, for people and subscribers (CloudEvents envelope). */
    public static final String EVENTS = "pgpilot.cluster.events";
    /** The provisioner's inventory: where each instance lives (key cluster/instance). */
    public static final String INSTANCES = "pgpilot.instance.inventory";
    /** The access layer's published endpoints per cluster. */
    public static final String ENDPOINTS = "pgpilot.cluster.endpoints";
    /** Desired PgBouncer poolers (CloudNativePG Pooler manifests), key: pooler name; a tombstone deletes it. */
    public static final String POOLER_SPECS = "pgpilot.pooler.specs";
    /** What the services module runs for each pooler, key: pooler name. */
    public static final String POOLER_STATUS = "pgpilot.pooler.status";
    /** Desired databases (CloudNativePG Database manifests), key: manifest name; a tombstone deletes it. */
    public static final String DATABASE_SPECS = "pgpilot.database.specs";
    /** What the provisioner did with each Database manifest, key: manifest name. */
    public static final String DATABASE_STATUS = "pgpilot.database.status";
    /** The reconciliation of each cluster's spec.managed.roles, key: cluster. */
    public static final String ROLES_STATUS = "pgpilot.roles.status";
    /** Desired scheduled base backups (CloudNativePG ScheduledBackup manifests), key: manifest name; a tombstone deletes it. */
    public static final String SCHEDULED_BACKUP_SPECS = "pgpilot.scheduledbackup.specs";
    /** CloudNativePG Backup objects (on demand or fired by a schedule) and the base backup each started, key: name. */
    public static final String BACKUP_OBJECTS = "pgpilot.backup.objects";
    /** Hosts that can run instances, as their node agents register them (key: node name; heartbeat = re-publish). */
    public static final String NODES = "pgpilot.nodes";

    /**
     * Never written: the failover service's replicas join one consumer group on it and the member
     * assigned its single partition is the active decider (docs/architecture.md, "Failover service replicas").
     */
    public static final String FAILOVER_LEADER = "pgpilot.failover.leader";

    public record TopicSpec(String name, int partitions, Map<String, String> config) {
    }

    private static final Map<String, String> COMPACTED = Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0");
    private static final Map<String, String> HOURS = Map.of("cleanup.policy", "delete", "retention.ms", String.valueOf(6 * 3600_000L));
    private static final Map<String, String> WEEK = Map.of("cleanup.policy", "delete", "retention.ms", String.valueOf(7 * 86400_000L));

    public static final List<TopicSpec> ALL = List.of(
            new TopicSpec(SPECS, 3, COMPACTED),
            new TopicSpec(COMMANDS, 3, WEEK),
            new TopicSpec(HEARTBEATS, 3, HOURS),
            new TopicSpec(TOPOLOGY, 3, COMPACTED),
            new TopicSpec(EVENTS, 3, WEEK),
            new TopicSpec(INSTANCES, 3, COMPACTED),
            new TopicSpec(ENDPOINTS, 3, COMPACTED),
            new TopicSpec(NODES, 1, COMPACTED),
            new TopicSpec(POOLER_SPECS, 3, COMPACTED),
            new TopicSpec(POOLER_STATUS, 3, COMPACTED),
            new TopicSpec(DATABASE_SPECS, 3, COMPACTED),
            new TopicSpec(DATABASE_STATUS, 3, COMPACTED),
            new TopicSpec(ROLES_STATUS, 3, COMPACTED),
            new TopicSpec(SCHEDULED_BACKUP_SPECS, 3, COMPACTED),
            new TopicSpec(BACKUP_OBJECTS, 3, COMPACTED),
            new TopicSpec(FAILOVER_LEADER, 1, HOURS));

    private Topics() {
    }

    public static String instanceKey(String cluster, String instance) {
        return cluster + "/" + instance;
    }
}
