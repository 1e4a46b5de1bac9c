package io.pgpilot.provisioner.nodes;

import io.pgpilot.instance.ProvisioningException;
import io.pgpilot.instance.ProvisioningException.Reason;
import io.pgpilot.provisioner.StaleCopy;

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
 *
 * <p>An assignment that moves to another node (the instance was re-placed after its node was lost)
 * leaves a {@link StaleCopy} on the old node, persisted in the same file (key
 * {@code <cluster>/<ordinal>@<node>}) in the same write as the move, until the copy is removed.
 */
public final class PlacementBook {

    private final Path file;
    private static final String STALE = "stale-copy";
    private final Map<String, String> assignments = new TreeMap<>();
    private final java.util.Set<StaleCopy> staleCopies = new java.util.LinkedHashSet<>();

    public PlacementBook(Path home) {
        this.file = home.resolve("placement").resolve("assignments.properties");
        if (Files.exists(file)) {
            try {
                Properties p = new Properties();
                p.load(new StringReader(Files.readString(file)));
                p.stringPropertyNames().stream().sorted().forEach(k -> {
                    int at = k.indexOf('@');
                    if (at < 0) {
                        assignments.put(k, p.getProperty(k));
                    } else {
                        staleCopies.add(new StaleCopy(k.substring(0, k.lastIndexOf('/')),
                                Integer.parseInt(k.substring(k.lastIndexOf('/') + 1, at)), k.substring(at + 1)));
                    }
                });
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

    /**
     * Assigns the instance to {@code node}. When it was assigned to another node, that node's copy
     * becomes a {@link StaleCopy}; a stale copy of the instance on {@code node} itself is forgotten
     * (the instance is created there anew, over it).
     */
    public synchronized void assign(String cluster, int ordinal, String node) {
        String before = assignments.put(key(cluster, ordinal), node);
        if (node.equals(before)) {
            return;
        }
        if (before != null) {
            staleCopies.add(new StaleCopy(cluster, ordinal, before));
        }
        staleCopies.remove(new StaleCopy(cluster, ordinal, node));
        save();
    }

    public synchronized void release(String cluster, int ordinal) {
        if (assignments.remove(key(cluster, ordinal)) != null) {
            save();
        }
    }

    /** Forgets every assignment and stale copy of the cluster. */
    public synchronized void releaseCluster(String cluster) {
        boolean changed = assignments.keySet().removeIf(k -> k.startsWith(cluster + "/"));
        if (staleCopies.removeIf(copy -> copy.cluster().equals(cluster)) || changed) {
            save();
        }
    }

    /** The stale copies of the cluster's moved instances still to be removed. */
    public synchronized java.util.List<StaleCopy> staleCopies(String cluster) {
        return staleCopies.stream().filter(copy -> copy.cluster().equals(cluster)).toList();
    }

    /** The copy was removed from its node. */
    public synchronized void staleCopyRemoved(StaleCopy copy) {
        if (staleCopies.remove(copy)) {
            save();
        }
    }

    private void save() {
        try {
            Files.createDirectories(file.getParent());
            Properties p = new Properties();
            p.putAll(assignments);
            staleCopies.forEach(copy -> p.put(key(copy.cluster(), copy.ordinal()) + "@" + copy.node(), STALE));
            StringWriter text = new StringWriter();
            p.store(text, "pgpilot placement: <cluster>/<ordinal> = node; <cluster>/<ordinal>@<node> = a stale copy to remove");
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text.toString());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ProvisioningException(Reason.LAYOUT, "cannot persist the placement of instances in " + file, e);
        }
    }
}
