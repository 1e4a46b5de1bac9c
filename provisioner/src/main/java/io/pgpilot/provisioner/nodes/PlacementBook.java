package io.pgpilot.provisioner.nodes;

import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Which node each instance is assigned to ({@code <cluster>/<ordinal>} -> node name), persisted in
 * {@code <home>/placement/assignments.properties} (written to a temporary file, then renamed) before
 * the node is asked to create the instance, so that a restarted provisioner finds every instance
 * where it put it. One provisioner writes it; nothing secret in it.
 */
public final class PlacementBook {

    private final Path file;
    private final Map<String, String> assignments = new TreeMap<>();

    public PlacementBook(Path home) {
        this.file = home.resolve("placement").resolve("assignments.properties");
        if (Files.exists(file)) {
            try {
                Properties p = new Properties();
                p.load(new StringReader(Files.readString(file)));
                p.stringPropertyNames().forEach(k -> assignments.put(k, p.getProperty(k)));
            } catch (IOException e) {
                throw new ProvisioningException(Reason.LAYOUT, "cannot read the placement of instances in " + file, e);
            }
        }
    }

    public static String key(String cluster, int ordinal) {
        return cluster + "/" + ordinal;
    }

    /** Every assignment (a copy). */
    public synchronized Map<String, String> all() {
        return Map.copyOf(assignments);
    }

    public synchronized String node(String cluster, int ordinal) {
        return assignments.get(key(cluster, ordinal));
    }

    /** The assignments of one cluster: ordinal -> node. */
    public synchronized Map<Integer, String> cluster(String cluster) {
        Map<Integer, String> result = new TreeMap<>();
        assignments.forEach((k, node) -> {
            if (k.startsWith(cluster + "/")) {
                result.put(Integer.parseInt(k.substring(cluster.length() + 1)), node);
            }
        });
        return result;
    }

    public synchronized java.util.List<String> clusters() {
        return assignments.keySet().stream().map(k -> k.substring(0, k.lastIndexOf('/'))).distinct().sorted().toList();
    }

    public synchronized void assign(String cluster, int ordinal, String node) {
        if (!node.equals(assignments.put(key(cluster, ordinal), node))) {
            save();
        }
    }

    public synchronized void release(String cluster, int ordinal) {
        if (assignments.remove(key(cluster, ordinal)) != null) {
            save();
        }
    }

    public synchronized void releaseCluster(String cluster) {
        if (assignments.keySet().removeIf(k -> k.startsWith(cluster + "/"))) {
            save();
        }
    }

    private void save() {
        try {
            Files.createDirectories(file.getParent());
            Properties p = new Properties();
            p.putAll(assignments);
            StringWriter text = new StringWriter();
            p.store(text, "pgpilot placement: <cluster>/<ordinal> = node");
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text.toString());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ProvisioningException(Reason.LAYOUT, "cannot persist the placement of instances in " + file, e);
        }
    }
}
