package io.pgpilot.provisioner.nodes;

import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.instance.configuration.ClusterTls;
import io.pgpilot.instance.layout.InstanceLayout;
import io.pgpilot.instance.node.CertificateBundle;
import io.pgpilot.instance.node.InstanceRef;
import io.pgpilot.instance.node.ManagerSpec;
import io.pgpilot.instance.node.NodeOperations;
import io.pgpilot.provisioner.tls.InstanceCertificates;
import io.pgpilot.provisioner.tls.SubjectAltNames;
import io.pgpilot.provisioner.tls.TlsException;
import io.pgpilot.support.security.ServiceTokens;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the control plane gives a node for the instances placed on it: certificates issued here (the
 * CA key never leaves) for the node's address, the cluster's TLS choices (their DNS names go into
 * the SANs), the cluster's token for the backup service (once per node and cluster, before the
 * first configuration that names the archive scripts) and what the instance managers beside the
 * cluster's instances run with ({@link ManagerSpec}). Nothing of it is logged.
 */
final class NodeIssuer {

    private final InstanceCertificates certificates;
    private final ServiceTokens tokens;
    private final Map<String, ClusterTls> clusterTls = new ConcurrentHashMap<>();
    private final Set<String> tokenSent = ConcurrentHashMap.newKeySet();
    private final Map<String, ManagerSpec> managerSpecs = new ConcurrentHashMap<>();
    /** cluster@node -> the spec that node has. */
    private final Map<String, ManagerSpec> specSent = new ConcurrentHashMap<>();

    NodeIssuer(InstanceCertificates certificates, ServiceTokens tokens) {
        this.certificates = certificates;
        this.tokens = tokens;
    }

    /** Remembers a cluster's TLS choices; true when they changed. */
    boolean remember(String cluster, ClusterTls tls) {
        return !tls.equals(clusterTls.put(cluster, tls));
    }

    Optional<ClusterTls> tls(String cluster) {
        return Optional.ofNullable(clusterTls.get(cluster));
    }

    void sendToken(String cluster, String nodeName, NodeOperations node) {
        if (tokenSent.add(cluster + "@" + nodeName)) {
            try {
                node.writeClusterToken(cluster, tokens.cluster(cluster));
            } catch (RuntimeException e) {
                tokenSent.remove(cluster + "@" + nodeName);
                throw e;
            }
        }
    }

    /** Remembers what the cluster's instance managers run with; true when it changed. */
    boolean remember(String cluster, ManagerSpec spec) {
        return !spec.equals(managerSpecs.put(cluster, spec));
    }

    /** Hands the node the cluster's instance manager spec unless it has this one already (the node keeps it across restarts). */
    void sendManagerSpec(String cluster, String nodeName, NodeOperations node) {
        ManagerSpec spec = managerSpecs.get(cluster);
        String key = cluster + "@" + nodeName;
        if (spec != null && !spec.equals(specSent.get(key))) {
            node.writeManagerSpec(cluster, spec);
            specSent.put(key, spec);
        }
    }

    /** Issues and installs the instance's certificates when the node's current server certificate is due. */
    InstanceCertificates.Outcome ensureCertificates(InstanceLayout layout, NodeOperations node) {
        InstanceRef ref = InstanceRef.of(layout);
        ClusterTls tls = clusterTls.getOrDefault(layout.cluster(), ClusterTls.DEFAULT);
        SubjectAltNames sans = SubjectAltNames.forInstance(layout.cluster(), layout.instance(), node.address(), null, tls.serverAltDnsNames());
        try {
            Optional<CertificateBundle> bundle = certificates.bundleIfDue(layout.cluster(), layout.instance(), node.serverCertificate(ref), sans);
            if (bundle.isEmpty()) {
                return new InstanceCertificates.Outcome(List.of());
            }
            node.installCertificates(ref, bundle.get());
            return new InstanceCertificates.Outcome(List.of("server.crt", "client.crt"));
        } catch (TlsException | IllegalStateException e) {
            throw new ProvisioningException(Reason.CONFIGURE, "cannot issue the certificates of " + layout.instance() + ": " + e.getMessage(), e);
        }
    }

    void forget(String cluster) {
        clusterTls.remove(cluster);
        tokenSent.removeIf(k -> k.startsWith(cluster + "@"));
        managerSpecs.remove(cluster);
        specSent.keySet().removeIf(k -> k.startsWith(cluster + "@"));
    }
}
