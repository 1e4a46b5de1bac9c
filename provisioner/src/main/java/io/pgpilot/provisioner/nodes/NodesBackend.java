package io.pgpilot.provisioner.nodes;

import io.pgpilot.events.NodeRecord;
import io.pgpilot.instance.Credentials;
import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.configuration.ClusterTls;
import io.pgpilot.instance.configuration.ConfigRenderer.ManagedSettings;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.layout.InstanceMetadata;
import io.pgpilot.instance.layout.MemberState;
import io.pgpilot.instance.layout.ObservedInstance;
import io.pgpilot.instance.node.InstanceRef;
import io.pgpilot.instance.node.ManagerSpec;
import io.pgpilot.instance.node.NodeOperations;
import io.pgpilot.instance.sql.InstanceSql;
import io.pgpilot.provisioner.InstanceBackend;
import io.pgpilot.provisioner.InstanceEndpoint;
import io.pgpilot.provisioner.StaleCopy;
import io.pgpilot.provisioner.placement.PlacementDecision;
import io.pgpilot.provisioner.tls.InstanceCertificates;
import io.pgpilot.support.security.ServiceTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The placer's {@link InstanceBackend} ({@code pgpilot.provisioner.backend=nodes}): each instance runs
 * on one of the registered nodes ({@link NodeDirectory}), chosen by the {@link Placer} when the
 * instance is prepared and kept in the {@link PlacementBook}; every file and process operation is
 * forwarded to that node's {@link NodeOperations}, SQL goes from here to the node's address and the
 * instance's port. Certificates are issued here (the CA key never leaves the control plane) for the
 * node's address and shipped with {@link NodeOperations#installCertificates}; a cluster's backup
 * token is sent to a node before the first configuration of the cluster's instances there.
 *
 * <p>{@link #layout} is the control plane's name of an instance: its paths are those under the
 * provisioner's home and mean nothing on the node (a node renders its own paths).
 */
public final class NodesBackend implements InstanceBackend {

    private static final Logger log = LoggerFactory.getLogger(NodesBackend.class);

    private final Path home;
    private final NodeDirectory nodes;
    private final PlacementBook book;
    private final Placer placer;
    private final InstanceCertificates certificates;
    private final InstanceSql sql;
    private final NodeIssuer issuer;
    private final Clock clock;
    private final Relocations relocations;
    private final NodeLinks links;

    /**
     * @param connect how to reach a node (production: the node agent's client; tests: node-side operations in this JVM)
     */
    public NodesBackend(Path home, NodeDirectory nodes, PlacementBook book, Placer placer, Function<NodeRecord, NodeOperations> connect,
                        InstanceCertificates certificates, Clock clock) {
        this.home = home;
        this.nodes = nodes;
        this.book = book;
        this.placer = placer;
        this.links = new NodeLinks(nodes, placer, connect, clock);
        this.certificates = certificates;
        this.sql = new InstanceSql(() -> certificates.authority().certificateFile());
        this.issuer = new NodeIssuer(certificates, new ServiceTokens(home));
        this.clock = clock;
        this.relocations = new Relocations(book, nodes, placer, links::reachable, clock);
    }

    @Override
    public Path home() {
        return home;
    }

    @Override
    public InstanceCertificates certificates() {
        return certificates;
    }

    @Override
    public InstanceSql sql() {
        return sql;
    }

    @Override
    public InstanceLayout layout(String cluster, int ordinal) {
        return InstanceLayout.of(home, cluster, ordinal);
    }

    /** The name of the node an instance is assigned to; null when it is not placed. */
    public String nodeOf(String cluster, int ordinal) {
        return book.node(cluster, ordinal);
    }

    @Override
    public String host(InstanceLayout layout) {
        return links.address(placed(layout));
    }

    // ---- reaching nodes ----------------------------------------------------------------------

    private NodeOperations node(InstanceLayout layout) {
        return links.reachable(placed(layout));
    }

    private String placed(InstanceLayout layout) {
        String name = book.node(layout.cluster(), layout.ordinal());
        if (name == null) {
            throw new ProvisioningException(Reason.LAYOUT, layout.instance() + " is not placed on any node");
        }
        return name;
    }

    private static InstanceRef ref(InstanceLayout layout) {
        return InstanceRef.of(layout);
    }

    // ---- observe: each node answers for the instances assigned to it -------------------------

    @Override
    public List<String> clusters() {
        return book.clusters();
    }

    @Override
    public List<Integer> ordinals(String cluster) {
        return List.copyOf(book.cluster(cluster).keySet());
    }

    @Override
    public Map<Integer, ObservedInstance> observe(String cluster) {
        return links.perNode(cluster, book.cluster(cluster), ops -> ops.observe(cluster));
    }

    @Override
    public Map<Integer, MemberState> observeMembers(String cluster) {
        return links.perNode(cluster, book.cluster(cluster), ops -> ops.observeMembers(cluster));
    }

    @Override
    public Map<Integer, String> onLostNodes(String cluster) {
        return relocations.onLostNodes(cluster);
    }

    @Override
    public List<StaleCopy> removeStaleCopies(String cluster) {
        return relocations.removeStaleCopies(cluster);
    }

    @Override
    public boolean isRunning(InstanceLayout layout) {
        return book.node(layout.cluster(), layout.ordinal()) != null && node(layout).isRunning(ref(layout));
    }

    @Override
    public InstanceMetadata readMetadata(InstanceLayout layout) {
        return book.node(layout.cluster(), layout.ordinal()) == null ? null : node(layout).readMetadata(ref(layout));
    }

    @Override
    public int timeline(InstanceLayout layout) {
        return node(layout).timeline(ref(layout));
    }

    @Override
    public long latestCheckpointLsn(InstanceLayout layout) {
        return node(layout).latestCheckpointLsn(ref(layout));
    }

    // ---- placement and creation ----------------------------------------------------------------

    /** Places the instance (once: the assignment is persisted first), then has its node create its place and port. */
    @Override
    public InstanceMetadata prepare(InstanceLayout layout) {
        String cluster = layout.cluster();
        PlacementDecision decision = placer.decide(cluster, layout.ordinal(), book.all(), nodes.views(), clock.instant());
        String name = switch (decision) {
            case PlacementDecision.Keep keep -> keep.node();
            case PlacementDecision.Wait wait -> wait.node(); // still assigned there; a silent node fails the call below
            case PlacementDecision.Place place -> {
                log.info("cluster={} instance={} placed on node {}", cluster, layout.instance(), place.node());
                yield place.node();
            }
            case PlacementDecision.Replace replace -> {
                log.warn("cluster={} instance={} node {} lost (silent longer than the loss grace): placed on node {} instead; "
                        + "its copy there is stale and removed when the node is back", cluster, layout.instance(), replace.lostNode(), replace.node());
                yield replace.node();
            }
            case PlacementDecision.Unplaceable none ->
                    throw new ProvisioningException(Reason.LAYOUT, "no node for " + layout.instance() + ": " + none.reason());
        };
        book.assign(cluster, layout.ordinal(), name);
        NodeOperations ops = links.reachable(name);
        InstanceMetadata metadata = ops.prepare(ref(layout));
        issuer.tls(cluster).ifPresent(tls -> ops.writeClusterTls(cluster, tls));
        issuer.ensureCertificates(layout, ops);
        return metadata;
    }

    @Override
    public void initPrimary(InstanceLayout layout, Credentials superuser) {
        node(layout).initPrimary(ref(layout), superuser);
    }

    @Override
    public void cloneReplica(InstanceLayout layout, InstanceEndpoint primary, Credentials replication) {
        ensureCertificates(layout);
        node(layout).cloneReplica(ref(layout), primary.host(), primary.port(), replication);
    }

    @Override
    public void writePassfile(InstanceLayout layout, String primaryHost, Credentials replication) {
        node(layout).writePassfile(ref(layout), primaryHost, replication);
    }

    @Override
    public void rewind(InstanceLayout layout, InstanceEndpoint primary, Credentials superuser) {
        ensureCertificates(layout);
        node(layout).rewind(ref(layout), primary.host(), primary.port(), superuser);
    }

    @Override
    public void restoreBaseBackup(InstanceLayout layout, InputStream tar) {
        node(layout).restoreBaseBackup(ref(layout), tar);
    }

    @Override
    public void awaitPromotion(InstanceLayout layout, Duration timeout) {
        node(layout).awaitPromotion(ref(layout), timeout);
    }

    @Override
    public String recoveryLog(InstanceLayout layout) {
        return node(layout).recoveryLog(ref(layout));
    }

    /** Runs on the node, over the instance's local socket: {@code port} is the node's business. */
    @Override
    public void resetRolesAfterRecovery(InstanceLayout layout, int port, Credentials superuser, Credentials replication, Credentials owner) {
        node(layout).resetRolesAfterRecovery(ref(layout), superuser, replication, owner);
    }

    @Override
    public void discard(InstanceLayout layout) {
        node(layout).discard(ref(layout));
    }

    // ---- configuration, certificates, secrets ------------------------------------------------

    @Override
    public boolean writeConfig(InstanceLayout layout, ManagedSettings settings, Map<String, String> parameters) {
        NodeOperations ops = node(layout);
        issuer.sendToken(layout.cluster(), book.node(layout.cluster(), layout.ordinal()), ops);
        issuer.sendManagerSpec(layout.cluster(), book.node(layout.cluster(), layout.ordinal()), ops);
        boolean renewed = issuer.ensureCertificates(layout, ops).changed();
        return ops.writeConfig(ref(layout), settings, parameters) | renewed;
    }

    @Override
    public boolean writeManagedConfig(InstanceLayout layout, ManagedSettings settings) {
        NodeOperations ops = node(layout);
        issuer.sendToken(layout.cluster(), book.node(layout.cluster(), layout.ordinal()), ops);
        issuer.sendManagerSpec(layout.cluster(), book.node(layout.cluster(), layout.ordinal()), ops);
        return ops.writeManagedConfig(ref(layout), settings);
    }

    /** Remembered here (the SANs of new certificates need its DNS names) and written to every node of the cluster. */
    @Override
    public boolean writeClusterTls(String cluster, ClusterTls tls) {
        boolean changed = issuer.remember(cluster, tls);
        for (String name : new TreeSet<>(book.cluster(cluster).values())) {
            changed |= links.reachable(name).writeClusterTls(cluster, tls);
        }
        return changed;
    }

    /** Remembered, and handed to every node of the cluster that answers (the others get it with their next configuration). */
    @Override
    public void writeManagerSpec(String cluster, ManagerSpec spec) {
        issuer.remember(cluster, spec);
        for (String name : new TreeSet<>(book.cluster(cluster).values())) {
            try {
                issuer.sendManagerSpec(cluster, name, links.reachable(name));
            } catch (ProvisioningException e) {
                log.warn("cluster={} node {} did not take the instance manager spec: {}", cluster, name, e.getMessage());
            }
        }
    }

    /** Issued here for the node's address when the node's current server certificate is due, then installed there. */
    @Override
    public InstanceCertificates.Outcome ensureCertificates(InstanceLayout layout) {
        return issuer.ensureCertificates(layout, node(layout));
    }

    // ---- process control -----------------------------------------------------------------------

    @Override
    public void start(InstanceLayout layout) {
        node(layout).start(ref(layout));
    }

    @Override
    public void stop(InstanceLayout layout) {
        node(layout).stop(ref(layout));
    }

    @Override
    public boolean stopOrKill(InstanceLayout layout, Duration timeout) {
        return node(layout).stopOrKill(ref(layout), timeout);
    }

    @Override
    public void kill(InstanceLayout layout) {
        node(layout).kill(ref(layout));
    }

    @Override
    public void clearCrashLeftovers(InstanceLayout layout) {
        node(layout).clearCrashLeftovers(ref(layout));
    }

    @Override
    public void reload(InstanceLayout layout) {
        node(layout).reload(ref(layout));
    }

    @Override
    public void promote(InstanceLayout layout) {
        node(layout).promote(ref(layout));
    }

    @Override
    public void writeStandbySignal(InstanceLayout layout) {
        node(layout).writeStandbySignal(ref(layout));
    }

    @Override
    public void removeStandbySignal(InstanceLayout layout) {
        node(layout).removeStandbySignal(ref(layout));
    }

    /** Removed on its node, then its assignment released (a later instance of that ordinal is placed anew). */
    @Override
    public void remove(InstanceLayout layout) {
        if (book.node(layout.cluster(), layout.ordinal()) == null) {
            return;
        }
        node(layout).remove(ref(layout));
        book.release(layout.cluster(), layout.ordinal());
    }

    @Override
    public void removeCluster(String cluster) {
        List<String> failed = new ArrayList<>();
        TreeSet<String> holding = new TreeSet<>(book.cluster(cluster).values());
        book.staleCopies(cluster).forEach(copy -> holding.add(copy.node()));
        for (String name : holding) {
            try {
                links.reachable(name).removeCluster(cluster);
            } catch (RuntimeException e) {
                log.warn("cluster={} node={} cannot remove what is left of the cluster: {}", cluster, name, e.getMessage());
                failed.add(name);
            }
        }
        if (!failed.isEmpty()) {
            throw new ProvisioningException(Reason.DELETE, "nodes " + failed + " still hold data of " + cluster);
        }
        book.releaseCluster(cluster);
        issuer.forget(cluster);
    }
}
