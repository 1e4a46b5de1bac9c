package io.pgpilot.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The README's run command ({@code ./run.sh}): the platform with the S3 store on fixed ports, every
 * manifest given applied, services kept running ({@link LocalPlatform#supervise}), Ctrl-C stops it
 * all and keeps the data.
 */
public final class RunCommand {

    private RunCommand() {
    }

    /** {@code RunCommand <repository> <home> <manifest> <cluster>}: the README's run command. */
    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        Path repository = Path.of(args[0]).toAbsolutePath();
        Path home = Path.of(args[1]).toAbsolutePath();
        // a manifest file, or a folder: every *.yaml / *.yml in it (sorted), e.g. examples/fleet
        Path target = Path.of(args[2]);
        List<Path> manifests;
        if (Files.isDirectory(target)) {
            try (var files = Files.list(target)) {
                manifests = files.filter(p -> p.getFileName().toString().matches(".*\\.ya?ml")).sorted().toList();
            }
        } else {
            manifests = List.of(target);
        }
        Files.createDirectories(home);
        System.out.println("pgpilot: starting Kafka, the S3 store and the six services (state in " + home + ", logs in "
                + home.resolve("logs") + ")");
        LocalPlatform platform = LocalPlatform.start(LocalPlatform.Settings.defaults(repository, home), List.of(), LocalPlatform.ObjectStore.defaults());
        Thread stopper = new Thread(() -> {
            System.out.println("\npgpilot: stopping (data is kept in " + home + ")");
            platform.close();
            System.out.println("pgpilot: stopped");
        });
        Runtime.getRuntime().addShutdownHook(stopper);
        platform.supervise();
        List<String> clusters = new java.util.ArrayList<>();
        for (Path manifest : manifests) {
            String yaml = Files.readString(manifest);
            String cluster = manifests.size() == 1 && args.length > 3 && !args[3].isBlank() ? args[3] : clusterName(yaml, manifest);
            System.out.println("pgpilot: services up; applying " + manifest + " -> HTTP " + platform.apply(yaml, cluster));
            clusters.add(cluster);
        }
        for (String cluster : clusters) {
            Map<String, Object> status = platform.awaitHealthy(cluster, Duration.ofSeconds(clusters.size() > 1 ? 600 : 180));
            System.out.printf("pgpilot: cluster %s healthy %.1f s after start; control plane RSS %d MiB%n", cluster,
                    platform.readyMillis() / 1000.0, platform.controlPlaneRssMiB());
            System.out.println("  primary:   " + status.get("currentPrimary") + " (timeline " + status.get("timeline") + ")");
            System.out.println("  sync:      " + status.get("synchronousStandbyNames"));
            ((Map<String, String>) status.get("endpoints")).forEach((name, address) -> System.out.println("  endpoint:  " + name + " -> " + address));
            System.out.println("  app user:  password in " + home.resolve("secrets").resolve(cluster + "-app.json"));
        }
        System.out.println("  API:       " + platform.gatewayUrl() + "/api/v1/clusters"
                + " (Authorization: Bearer <token>; tokens in " + home.resolve("secrets").resolve("api-token-{admin,operator,viewer}") + ")");
        System.out.println("  CLI:       ./pgpilot status " + clusters.getFirst() + "   (./pgpilot --help)");
        System.out.println("  S3 store:  " + platform.objectStore().endpointUrl() + " (Ceph RGW, object lock; keys in "
                + home.resolve("secrets").resolve(LocalPlatform.S3_SECRET + ".json") + ")");
        System.out.println("pgpilot: running (a crashed service is started again, see logs/platform.log); press Ctrl-C to stop");
        Thread.currentThread().join();
    }

    /** {@code metadata.name} of a Cluster manifest (the first {@code name:} indented by two spaces). */
    static String clusterName(String yaml, Path file) {
        var m = java.util.regex.Pattern.compile("(?m)^  name: *['\"]?([a-z0-9-]+)").matcher(yaml);
        if (!m.find()) {
            throw new IllegalArgumentException(file + ": no metadata.name");
        }
        return m.group(1);
    }
}
