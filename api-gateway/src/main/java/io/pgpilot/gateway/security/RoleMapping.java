package io.pgpilot.gateway.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The pgpilot role of an OIDC access token (pure): the values of one claim ({@code groups} by
 * default; a dotted path such as {@code realm_access.roles} reaches into objects; a string is split
 * on spaces, like {@code scope}) against the groups configured for each role; the highest wins.
 */
public record RoleMapping(String claim, Map<Role, Set<String>> groups) {

    public RoleMapping {
        groups = Map.copyOf(groups);
    }

    public Optional<Role> role(Map<String, Object> claims) {
        List<String> values = values(claims);
        Role best = null;
        for (Role role : Role.values()) {
            Set<String> names = groups.getOrDefault(role, Set.of());
            if (values.stream().anyMatch(names::contains)) {
                best = role;
            }
        }
        return Optional.ofNullable(best);
    }

    private List<String> values(Map<String, Object> claims) {
        Object value = claims;
        for (String part : claim.split("\\.")) {
            if (!(value instanceof Map<?, ?> map)) {
                return List.of();
            }
            value = map.get(part);
        }
        List<String> out = new ArrayList<>();
        if (value instanceof String s) {
            out.addAll(List.of(s.trim().split("\\s+")));
        } else if (value instanceof Collection<?> c) {
            c.stream().filter(String.class::isInstance).map(String.class::cast).forEach(out::add);
        }
        return out;
    }
}
