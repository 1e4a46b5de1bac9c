package io.pgpilot.testkit;

import io.pgpilot.launcher.KafkaBroker;
import io.pgpilot.launcher.Waits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Several "machines" on this one machine: each host is a Linux network namespace with one veth link
 * to a bridge that lives in a switch namespace of its own, so the root namespace's interfaces, routes
 * and firewall are never touched. Addresses exist only inside the namespaces this bed creates, and
 * {@link #close()} removes every namespace (and with it every link and rule in it) after killing every
 * process that still runs in them. A JVM shutdown hook does the same if a test dies before closing.
 *
 * <p>Faults a test can inject, all per host: {@link #powerLoss} (SIGKILL of every process in the
 * namespace at once), {@link #freeze}/{@link #thaw} (SIGSTOP/SIGCONT), {@link #isolate}/{@link #heal}
 * (packets dropped, not rejected, both ways) and {@link #cut} between two hosts only.
 *
 * <p>Opt-in root link ({@link #create(String, List, boolean)}): a veth pair between the root
 * namespace and the bridge, root side {@value #ROOT_ADDRESS}/24, so the test JVM (and a Kafka
 * broker it starts on that address) reaches the hosts and they reach it. It is the only thing the
 * bed puts in the root namespace, removed with the rest (and by the stale-prefix cleanup). One bed
 * with a root link at a time on a machine: the subnet is fixed.
 */
public final class NetworkTestBed implements AutoCloseable {

    /** One host: its namespace and its address on the bed's subnet. */
    public record Host(String name, String namespace, String address) {
    }

    private static final String SUBNET = "10.77.0.";
    public static final String ROOT_ADDRESS = "10.77.0.1";
    private static final int MAX_HOSTS = 60;

    private final String prefix;
    private final String switchNamespace;
    private final Map<String, Host> hosts = new LinkedHashMap<>();
    private final Thread shutdownHook;
    private boolean rootLink;
    private boolean closed;

    private NetworkTestBed(String prefix) {
        this.prefix = prefix;
        this.switchNamespace = prefix + "-sw";
        this.shutdownHook = new Thread(this::removeAll, "netbed-cleanup-" + prefix);
    }

    /**
     * Creates the bed: a switch namespace with a bridge and one namespace per host name, addresses
     * 10.77.0.11, .12, ... in the order given. {@code prefix} names the namespaces (keep it short and
     * unique per test: namespaces with that prefix left by a crashed earlier run are removed first).
     */
    public static NetworkTestBed create(String prefix, List<String> hostNames) {
        return create(prefix, hostNames, false);
    }

    /** As {@link #create(String, List)}, with {@code rootLink}: the root namespace on the bed's bridge at {@value #ROOT_ADDRESS}. */
    public static NetworkTestBed create(String prefix, List<String> hostNames, boolean rootLink) {
        if (!prefix.matches("[a-z][a-z0-9]{0,7}")) {
            throw new IllegalArgumentException("prefix must be 1-8 lowercase letters/digits: " + prefix);
        }
        if (hostNames.isEmpty() || hostNames.size() > MAX_HOSTS) {
            throw new IllegalArgumentException("between 1 and " + MAX_HOSTS + " hosts");
        }
        removeStale(prefix);
        NetworkTestBed bed = new NetworkTestBed(prefix);
        Runtime.getRuntime().addShutdownHook(bed.shutdownHook);
        try {
            bed.ip("netns", "add", bed.switchNamespace);
            bed.in(bed.switchNamespace, "ip", "link", "set", "lo", "up");
            bed.in(bed.switchNamespace, "ip", "link", "add", "br0", "type", "bridge");
            bed.in(bed.switchNamespace, "ip", "link", "set", "br0", "up");
            int index = 0;
            for (String name : hostNames) {
                if (!name.matches("[a-z][a-z0-9-]{0,15}")) {
                    throw new IllegalArgumentException("host name must be lowercase letters, digits, '-': " + name);
                }
                index++;
                bed.addHost(name, index);
            }
            if (rootLink) {
                bed.addRootLink();
            }
            return bed;
        } catch (RuntimeException e) {
            bed.close();
            throw e;
        }
    }

    private void addHost(String name, int index) {
        String namespace = prefix + "-" + name;
        String address = SUBNET + (10 + index);
        // veth names are at most 15 characters and live in the root namespace for a moment
        String hostSide = prefix + "h" + index;
        String switchSide = prefix + "s" + index;
        ip("netns", "add", namespace);
        hosts.put(name, new Host(name, namespace, address));
        ip("link", "add", hostSide, "type", "veth", "peer", "name", switchSide);
        ip("link", "set", hostSide, "netns", namespace);
        ip("link", "set", switchSide, "netns", switchNamespace);
        in(switchNamespace, "ip", "link", "set", switchSide, "master", "br0");
        in(switchNamespace, "ip", "link", "set", switchSide, "up");
        in(namespace, "ip", "link", "set", "lo", "up");
        in(namespace, "ip", "link", "set", hostSide, "name", "eth0");
        in(namespace, "ip", "addr", "add", address + "/24", "dev", "eth0");
        in(namespace, "ip", "link", "set", "eth0", "up");
    }

    /** Names in the root namespace are global: {@code <prefix>root} cannot clash with another prefix's (at most 8 + 4 characters). */
    private static String rootLinkName(String prefix) {
        return prefix + "root";
    }

    private void addRootLink() {
        String rootSide = rootLinkName(prefix);
        String switchSide = prefix + "rsw";
        if (run(List.of("ip", "-br", "addr", "show", "to", ROOT_ADDRESS + "/32"), false).contains(ROOT_ADDRESS)) {
            throw new IllegalStateException(ROOT_ADDRESS + " is already on an interface of the root namespace (another bed's root link?)");
        }
        ip("link", "add", rootSide, "type", "veth", "peer", "name", switchSide);
        rootLink = true;
        ip("link", "set", switchSide, "netns", switchNamespace);
        in(switchNamespace, "ip", "link", "set", switchSide, "master", "br0");
        in(switchNamespace, "ip", "link", "set", switchSide, "up");
        ip("addr", "add", ROOT_ADDRESS + "/24", "dev", rootSide);
        ip("link", "set", rootSide, "up");
    }

    /** The root namespace's address on the bed; only with a root link. */
    public String rootAddress() {
        if (!rootLink) {
            throw new IllegalStateException("bed " + prefix + " has no root link");
        }
        return ROOT_ADDRESS;
    }

    public Host host(String name) {
        Host host = hosts.get(name);
        if (host == null) {
            throw new IllegalArgumentException("no host " + name + " in bed " + prefix);
        }
        return host;
    }

    public List<Host> hosts() {
        return List.copyOf(hosts.values());
    }

    /** The command prefix that runs a program inside the host's namespace. */
    public List<String> wrap(Host host, List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", host.namespace()));
        full.addAll(command);
        return full;
    }

    /**
     * A Kafka broker inside the host, listening on the host's address only and started through the
     * bed, so the host's power loss, freeze and isolation hit it (see {@link KafkaBroker#startIn}).
     */
    public KafkaBroker startKafka(Host host, java.nio.file.Path dataDir) {
        return KafkaBroker.startIn(new KafkaBroker.Placement() {
            @Override
            public String address() {
                return host.address();
            }

            @Override
            public List<String> wrap(List<String> command) {
                return NetworkTestBed.this.wrap(host, command);
            }

            /** A TCP connect from inside the host itself: no packet from the root namespace to the bed's addresses. */
            @Override
            public boolean listening(String address, int port) {
                try {
                    exec(host, "bash", "-c", "exec 3<>/dev/tcp/" + address + "/" + port);
                    return true;
                } catch (IllegalStateException notYet) {
                    return false;
                }
            }
        }, dataDir);
    }

    /** Runs a short command inside the host and returns its output; fails with its output. */
    public String exec(Host host, String... command) {
        return in(host.namespace(), command);
    }

    /** Starts a long-running process inside the host; it is killed by {@link #powerLoss} and {@link #close}. */
    public Process start(Host host, List<String> command, java.nio.file.Path log) {
        try {
            return new ProcessBuilder(wrap(host, command)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a process in " + host.name(), e);
        }
    }

    /** PIDs of every process running in the host's namespace. */
    public List<Long> pids(Host host) {
        String out = run(List.of("ip", "netns", "pids", host.namespace()), false);
        List<Long> pids = new ArrayList<>();
        for (String line : out.split("\\s+")) {
            if (!line.isBlank()) {
                pids.add(Long.parseLong(line.trim()));
            }
        }
        return pids;
    }

    /**
     * The host loses power: every process in it is killed at once. Returns once they are all gone
     * (reaped, not only dead), so a restart does not find their lock files still owned.
     */
    public void powerLoss(Host host) {
        List<Long> killed = signal(host, "KILL");
        Waits.until("killed processes of " + host.name() + " to be gone", java.time.Duration.ofSeconds(30),
                () -> killed.stream().noneMatch(pid -> ProcessHandle.of(pid).isPresent()));
    }

    /** Every process of the host stops (SIGSTOP) until {@link #thaw}. */
    public void freeze(Host host) {
        signal(host, "STOP");
    }

    public void thaw(Host host) {
        signal(host, "CONT");
    }

    private List<Long> signal(Host host, String signal) {
        List<Long> pids = pids(host);
        if (pids.isEmpty()) {
            return pids;
        }
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        pids.forEach(pid -> command.add(Long.toString(pid)));
        run(command, false); // a process may have ended in between
        return pids;
    }

    /** Every packet to or from the host is dropped (not rejected) until {@link #heal}. */
    public void isolate(Host host) {
        in(host.namespace(), "iptables", "-I", "INPUT", "-i", "eth0", "-j", "DROP");
        in(host.namespace(), "iptables", "-I", "OUTPUT", "-o", "eth0", "-j", "DROP");
    }

    /** Packets between {@code a} and {@code b} only are dropped, both ways, until {@link #heal} of either. */
    public void cut(Host a, Host b) {
        in(a.namespace(), "iptables", "-I", "INPUT", "-s", b.address(), "-j", "DROP");
        in(a.namespace(), "iptables", "-I", "OUTPUT", "-d", b.address(), "-j", "DROP");
        in(b.namespace(), "iptables", "-I", "INPUT", "-s", a.address(), "-j", "DROP");
        in(b.namespace(), "iptables", "-I", "OUTPUT", "-d", a.address(), "-j", "DROP");
    }

    /**
     * Packets between the host and the root namespace ({@value #ROOT_ADDRESS}, where a control plane
     * on the bed runs) are dropped, both ways, until {@link #heal}; the other hosts still reach it.
     */
    public void cutFromRoot(Host host) {
        rootAddress();
        in(host.namespace(), "iptables", "-I", "INPUT", "-s", ROOT_ADDRESS, "-j", "DROP");
        in(host.namespace(), "iptables", "-I", "OUTPUT", "-d", ROOT_ADDRESS, "-j", "DROP");
    }

    /** Removes every drop rule of the host (and of the hosts it was cut from, for those rules in the host). */
    public void heal(Host host) {
        in(host.namespace(), "iptables", "-F", "INPUT");
        in(host.namespace(), "iptables", "-F", "OUTPUT");
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        removeAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it removes the same namespaces
        }
    }

    private void removeAll() {
        for (Host host : List.copyOf(hosts.values())) {
            try {
                powerLoss(host);
            } catch (IllegalStateException stuck) {
                // deleting the namespace still removes its links; a stuck process keeps only its own handle
            }
            run(List.of("ip", "netns", "del", host.namespace()), false);
        }
        if (rootLink) {
            run(List.of("ip", "link", "del", rootLinkName(prefix)), false); // its peer goes with it
        }
        run(List.of("ip", "netns", "del", switchNamespace), false);
    }

    /** Removes namespaces named {@code <prefix>-*} and the root link left behind by a run that could not clean up. */
    public static void removeStale(String prefix) {
        if (run(List.of("ip", "link", "show", rootLinkName(prefix)), false).contains(rootLinkName(prefix) + "@")) {
            run(List.of("ip", "link", "del", rootLinkName(prefix)), false);
        }
        String list = run(List.of("ip", "netns", "list"), false);
        for (String line : list.split("\n")) {
            String name = line.trim().split("\\s+")[0];
            if (name.startsWith(prefix + "-")) {
                String pids = run(List.of("ip", "netns", "pids", name), false).trim();
                if (!pids.isEmpty()) {
                    List<String> kill = new ArrayList<>(List.of("kill", "-KILL"));
                    kill.addAll(List.of(pids.split("\\s+")));
                    run(kill, false);
                }
                run(List.of("ip", "netns", "del", name), false);
            }
        }
    }

    private String ip(String... args) {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        return run(command, true);
    }

    private String in(String namespace, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(command));
        return run(full, true);
    }

    private static String run(List<String> command, boolean mustSucceed) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", command));
            }
            if (mustSucceed && process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + process.exitValue()
                        + ": " + output.strip());
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.getFirst() + " (needs root and iproute2)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
        }
    }
}
