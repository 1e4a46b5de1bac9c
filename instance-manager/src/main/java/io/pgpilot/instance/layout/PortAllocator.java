package io.pgpilot.instance.layout;

import io.pgpilot.instance.ProvisioningException;

import java.util.Set;
import java.util.function.IntPredicate;

/** Chooses an instance port: the first at or above the base that no instance holds and that is free. Pure. */
public final class PortAllocator {

    public static final int MAX_PORT = 65535;

    private PortAllocator() {
    }

    public static int choose(int base, Set<Integer> assigned, IntPredicate free) {
        for (int port = base; port <= MAX_PORT; port++) {
            if (!assigned.contains(port) && free.test(port)) {
                return port;
            }
        }
        throw new ProvisioningException(ProvisioningException.Reason.NO_FREE_PORT, "no free port at or above " + base);
    }
}
