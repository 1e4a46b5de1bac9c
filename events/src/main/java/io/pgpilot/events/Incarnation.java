package io.pgpilot.events;

import java.util.Objects;
import java.util.UUID;

/**
 * The identity of one creation of a cluster name ({@link ClusterSpecRecord#uid()}). A record of an
 * incarnation other than the one in force belongs to a deleted cluster of the same name and must be
 * ignored; epochs still only grow across incarnations.
 */
public final class Incarnation {

    private Incarnation() {
    }

    public static String newUid() {
        return UUID.randomUUID().toString();
    }

    /** Records of the same incarnation: equal uids (null, from before incarnations existed, only matches null). */
    public static boolean same(String uid, String other) {
        return Objects.equals(uid, other);
    }

    /** For logs: the first 8 characters. */
    public static String brief(String uid) {
        return uid == null ? "-" : uid.substring(0, Math.min(8, uid.length()));
    }
}
