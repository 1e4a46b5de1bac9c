package io.pgpilot.gateway.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code pgpilot.gateway.auth.*}: the embedded tokens (on by default) and an optional OIDC
 * provider whose access tokens are accepted as well. Invalid combinations stop the gateway at
 * start with the property named.
 */
@ConfigurationProperties(prefix = "pgpilot.gateway.auth")
public record AuthProperties(Boolean embeddedTokens, Oidc oidc) {

    public AuthProperties {
        if (embeddedTokens == null) {
            embeddedTokens = true;
        }
        if (oidc == null) {
            oidc = new Oidc(null, null, null, null, null, null, null, null, null);
        }
        oidc.check();
        if (!embeddedTokens && !oidc.enabled()) {
            throw new IllegalArgumentException("pgpilot.gateway.auth.embedded-tokens=false needs pgpilot.gateway.auth.oidc.issuer:"
                    + " nobody could call the API");
        }
    }

    /**
     * {@code issuer} (exact {@code iss}), {@code audience} (must be in {@code aud}; Authentik: the
     * provider's client id), keys from {@code jwks-url} or {@code jwks-file}, the role from
     * {@code role-claim} (default {@code groups}) matched against the groups of each role.
     */
    public record Oidc(String issuer, String audience, URI jwksUrl, Path jwksFile, String roleClaim,
                       List<String> viewerGroups, List<String> operatorGroups, List<String> adminGroups, Duration clockSkew) {

        public Oidc {
            if (roleClaim == null || roleClaim.isBlank()) {
                roleClaim = "groups";
            }
            viewerGroups = viewerGroups == null ? List.of() : List.copyOf(viewerGroups);
            operatorGroups = operatorGroups == null ? List.of() : List.copyOf(operatorGroups);
            adminGroups = adminGroups == null ? List.of() : List.copyOf(adminGroups);
            if (clockSkew == null) {
                clockSkew = Duration.ofSeconds(30);
            }
        }

        public boolean enabled() {
            return issuer != null && !issuer.isBlank();
        }

        void check() {
            String p = "pgpilot.gateway.auth.oidc.";
            if (!enabled()) {
                if (audience != null || jwksUrl != null || jwksFile != null) {
                    throw new IllegalArgumentException(p + "issuer: required when an audience or keys are configured");
                }
                return;
            }
            if (audience == null || audience.isBlank()) {
                throw new IllegalArgumentException(p + "audience: required with an issuer (Authentik: the provider's client id)");
            }
            if ((jwksUrl == null) == (jwksFile == null)) {
                throw new IllegalArgumentException(p + "jwks-url / jwks-file: exactly one is required with an issuer");
            }
            if (jwksUrl != null && !("https".equals(jwksUrl.getScheme()) || "http".equals(jwksUrl.getScheme()))) {
                throw new IllegalArgumentException(p + "jwks-url: must be an http(s) URL");
            }
            if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException(p + "clock-skew: must be between 0 and 5 minutes");
            }
        }

        public RoleMapping roleMapping() {
            Map<Role, Set<String>> groups = new EnumMap<>(Role.class);
            groups.put(Role.VIEWER, Set.copyOf(viewerGroups));
            groups.put(Role.OPERATOR, Set.copyOf(operatorGroups));
            groups.put(Role.ADMIN, Set.copyOf(adminGroups));
            return new RoleMapping(roleClaim, groups);
        }
    }
}
