package io.pgpilot.model;

import io.pgpilot.model.ManifestException.Violation;
import io.pgpilot.model.PoolerDefinition.PoolMode;
import io.pgpilot.model.PoolerDefinition.Type;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks a parsed {@link PoolerManifest} and resolves its defaults. Pure: no I/O, all violations at once. */
public final class PoolerValidator {

    public static final int MAX_INSTANCES = 10;
    private static final Pattern AUTH_QUERY = Pattern.compile("[ -~]{1,512}");

    private PoolerValidator() {
    }

    public static PoolerDefinition parseAndValidate(String text) {
        return validate(ManifestParser.parse(text, PoolerManifest.class));
    }

    public static PoolerDefinition validate(PoolerManifest manifest) {
        List<Violation> violations = new ArrayList<>();
        String name = manifest.name();
        ClusterObjectHeader.check(manifest.apiVersion(), manifest.kind(), PoolerManifest.KIND, name, "pooler", violations);
        var spec = manifest.spec();
        if (spec == null) {
            violations.add(new Violation("spec", "is required"));
            throw new ManifestException(violations);
        }
        String cluster = ClusterObjectHeader.cluster(spec.cluster(), violations);
        Type type = Type.RW;
        if (spec.type() != null) {
            switch (spec.type()) {
                case "rw" -> type = Type.RW;
                case "ro" -> type = Type.RO;
                case "r" -> type = Type.R;
                default -> violations.add(new Violation("spec.type", "'" + Names.printable(spec.type()) + "' is not one of [r, ro, rw]"));
            }
        }
        int instances = spec.instances() == null ? 1 : spec.instances();
        if (instances < 1 || instances > MAX_INSTANCES) {
            violations.add(new Violation("spec.instances", "must be between 1 and " + MAX_INSTANCES + ", got " + instances));
        }
        var pgbouncer = spec.pgbouncer();
        if (pgbouncer == null) {
            violations.add(new Violation("spec.pgbouncer", "is required"));
            throw new ManifestException(violations);
        }
        PoolMode mode = PoolMode.SESSION;
        if (pgbouncer.poolMode() != null) {
            switch (pgbouncer.poolMode()) {
                case "session" -> mode = PoolMode.SESSION;
                case "transaction" -> mode = PoolMode.TRANSACTION;
                case "statement" -> violations.add(new Violation("spec.pgbouncer.poolMode",
                        "'statement' is not supported (it breaks multi-statement transactions); use session or transaction"));
                default -> violations.add(new Violation("spec.pgbouncer.poolMode", "'" + Names.printable(pgbouncer.poolMode())
                        + "' is not one of [session, transaction]"));
            }
        }
        Map<String, String> parameters = PgBouncerParameters.validate(pgbouncer.parameters(), "spec.pgbouncer.parameters", violations);
        String secret = pgbouncer.authQuerySecret() == null ? null : pgbouncer.authQuerySecret().name();
        if (pgbouncer.authQuerySecret() != null && (secret == null || !Names.SECRET.matcher(secret).matches())) {
            violations.add(new Violation("spec.pgbouncer.authQuerySecret.name", "'" + Names.printable(secret) + "' is not a valid secret name"));
        } else if (Names.platformSecret(secret)) {
            violations.add(new Violation("spec.pgbouncer.authQuerySecret.name", "'" + secret
                    + "' is a secret pgpilot generates; a manifest may reference only secrets you supply"));
        }
        String query = pgbouncer.authQuery();
        if (query != null) {
            if (!AUTH_QUERY.matcher(query).matches() || !query.contains("$1")) {
                violations.add(new Violation("spec.pgbouncer.authQuery",
                        "must be one line of at most 512 printable characters that uses $1 for the user name"));
            } else if (secret == null) {
                violations.add(new Violation("spec.pgbouncer.authQuery",
                        "needs spec.pgbouncer.authQuerySecret: the built-in pooler role only runs the built-in lookup"));
            }
        }
        if (!violations.isEmpty()) {
            throw new ManifestException(violations);
        }
        return new PoolerDefinition(name, cluster, type, instances, mode, parameters,
                Boolean.TRUE.equals(pgbouncer.paused()), secret, query);
    }
}
