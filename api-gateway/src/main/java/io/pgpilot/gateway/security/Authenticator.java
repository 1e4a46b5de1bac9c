package io.pgpilot.gateway.security;

import io.pgpilot.model.Names;

/**
 * Turns a presented bearer token into a principal: a JWT (it has dots) goes to the OIDC validator
 * when one is configured, anything else is compared with the embedded tokens.
 */
public final class Authenticator {

    /** The result of checking one token. */
    public sealed interface Outcome {
        record Authenticated(Principal principal) implements Outcome {
        }

        /** 401; {@code reason} is safe to show. */
        record Rejected(String reason) implements Outcome {
        }

        /** 503: the token could not be checked now (the provider's keys could not be read). */
        record Unavailable(String reason) implements Outcome {
        }
    }

    private final StaticTokens tokens;
    private final JwtValidator jwt;
    private final RoleMapping roles;

    /** {@code tokens} null: embedded tokens off; {@code jwt} null: no OIDC. */
    public Authenticator(StaticTokens tokens, JwtValidator jwt, RoleMapping roles) {
        if (tokens == null && jwt == null) {
            throw new IllegalArgumentException("no way to authenticate: enable the embedded tokens or configure OIDC");
        }
        this.tokens = tokens;
        this.jwt = jwt;
        this.roles = roles;
    }

    public Outcome authenticate(String token) {
        if (token.indexOf('.') >= 0) {
            if (jwt == null) {
                return new Outcome.Rejected("unknown token (JWTs are not accepted: no OIDC provider is configured)");
            }
            try {
                JwtValidator.Claims claims = jwt.validate(token);
                return new Outcome.Authenticated(Principal.ofJwt(Names.printable(claims.subject()),
                        roles.role(claims.all()).orElse(null)));
            } catch (JwtValidator.InvalidToken e) {
                return new Outcome.Rejected("invalid token: " + e.getMessage());
            } catch (JwtValidator.KeysUnavailable e) {
                return new Outcome.Unavailable(e.getMessage() + "; retry later");
            }
        }
        if (tokens == null) {
            return new Outcome.Rejected("unknown token (the embedded tokens are disabled; send an OIDC access token)");
        }
        return tokens.match(token).<Outcome>map(Outcome.Authenticated::new)
                .orElseGet(() -> new Outcome.Rejected("unknown token"));
    }
}
