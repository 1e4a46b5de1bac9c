package io.pgpilot.instance.node;

import io.pgpilot.instance.Credentials;

import java.util.regex.Pattern;

/**
 * What the instance managers of one cluster on a node run with (besides what the node knows
 * itself): the cluster incarnation their heartbeats carry, the cluster's size (a primary keeps its
 * lease while it sees a majority streaming) and the superuser its local probe logs in as. The
 * control plane hands it over with {@link NodeOperations#writeManagerSpec}; the password is stored
 * on the node in a private file and never logged ({@link #toString()} hides it).
 */
public record ManagerSpec(String uid, int clusterSize, Credentials superuser) {

    private static final Pattern UID = Pattern.compile("[-a-zA-Z0-9]{1,64}");

    public ManagerSpec {
        if (uid == null || !UID.matcher(uid).matches()) {
            throw new IllegalArgumentException("not a cluster incarnation uid");
        }
        if (clusterSize < 1 || clusterSize > 99) {
            throw new IllegalArgumentException("cluster size must be 1..99, not " + clusterSize);
        }
        if (superuser == null || superuser.username() == null || superuser.username().isBlank()
                || superuser.password() == null || superuser.password().isEmpty()) {
            throw new IllegalArgumentException("the superuser credentials are incomplete");
        }
    }

    @Override
    public String toString() {
        return "ManagerSpec[uid=" + uid + ", clusterSize=" + clusterSize + ", superuser=" + superuser + "]";
    }
}
