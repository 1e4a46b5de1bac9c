package io.pgpilot.cli;

import io.pgpilot.model.ClusterDefinition;
import io.pgpilot.model.ManifestValidator;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** examples/fleet: the user's four databases, valid as the gateway validates them, with daily backups kept 30 days. */
class FleetManifestsTest {

    @Test
    void theFourDatabasesAreValidWithDailyBackupsAnd30DaysRetention() {
        List<Manifests.Document> docs = Manifests.read(List.of(Path.of("../examples/fleet")));
        Map<String, ClusterDefinition> fleet = docs.stream().map(d -> ManifestValidator.parseAndValidate(d.text()))
                .collect(Collectors.toMap(ClusterDefinition::name, d -> d));
        assertThat(fleet).containsOnlyKeys("odoo-db", "authentik-db", "wordpress-db", "forgejo-db");
        assertThat(fleet.get("odoo-db").instances()).isEqualTo(3);
        assertThat(List.of("authentik-db", "wordpress-db", "forgejo-db")).allSatisfy(n -> assertThat(fleet.get(n).instances()).isEqualTo(2));
        for (Manifests.Document d : docs) {
            assertThat(d.text()).as(d.name()).contains("retentionPolicy: \"30d\"").containsPattern("schedule: \"0 [0-9]+ 2 \\* \\* \\*\"")
                    .contains("destinationPath: s3://homelab-backups/" + d.name() + "/");
        }
        assertThat(docs.stream().map(d -> d.text().replaceAll("(?s).*schedule: \"([^\"]+)\".*", "$1")).distinct().count())
                .as("backups staggered").isEqualTo(4);
    }
}
