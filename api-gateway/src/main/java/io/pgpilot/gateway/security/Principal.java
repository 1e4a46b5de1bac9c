package io.pgpilot.gateway.security;

/**
 * Who called: {@code token:admin} for an embedded token, {@code jwt:<subject>} for an OIDC access
 * token. {@code role} is null when a valid JWT maps to no pgpilot role (403 on every route that
 * needs one). Never holds the token itself.
 */
public record Principal(String name, Role role, String method) {

    public static final String TOKEN = "token";
    public static final String JWT = "jwt";

    public static Principal ofToken(Role role) {
        return new Principal("token:" + role.id(), role, TOKEN);
    }

    public static Principal ofJwt(String subject, Role role) {
        return new Principal("jwt:" + subject, role, JWT);
    }

    public boolean mayAct(Role required) {
        return role != null && role.grants(required);
    }
}
