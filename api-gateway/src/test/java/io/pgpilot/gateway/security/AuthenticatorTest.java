package io.pgpilot.gateway.security;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Token parsing, embedded tokens, role mapping and the combination (real JWTs, real validator). */
class AuthenticatorTest {

    static final String ADMIN = "a".repeat(43);
    static final String VIEWER = "v".repeat(43);

    @Test
    void bearerHeaders() {
        assertThat(BearerToken.parse(null)).isInstanceOf(BearerToken.Missing.class);
        assertThat(BearerToken.parse("Basic dXNlcjpwYXNz")).isInstanceOf(BearerToken.Malformed.class);
        assertThat(BearerToken.parse("Bearer ")).isInstanceOf(BearerToken.Malformed.class);
        assertThat(BearerToken.parse("Bearer a b")).isInstanceOf(BearerToken.Malformed.class);
        assertThat(BearerToken.parse("bearer abc.def.ghi")).isEqualTo(new BearerToken.Presented("abc.def.ghi"));
        assertThat(new BearerToken.Presented("secret-value").toString()).doesNotContain("secret-value");
    }

    @Test
    void embeddedTokensMapToTheirRole() {
        StaticTokens tokens = new StaticTokens(Map.of(Role.ADMIN, ADMIN, Role.VIEWER, VIEWER));
        assertThat(tokens.match(ADMIN)).hasValue(Principal.ofToken(Role.ADMIN));
        assertThat(tokens.match(VIEWER).orElseThrow().name()).isEqualTo("token:viewer");
        assertThat(tokens.match(ADMIN + "x")).isEmpty();
        assertThat(tokens.match("")).isEmpty();
    }

    @Test
    void rolesIncludeTheLowerOnes() {
        assertThat(Role.ADMIN.grants(Role.OPERATOR)).isTrue();
        assertThat(Role.OPERATOR.grants(Role.VIEWER)).isTrue();
        assertThat(Role.OPERATOR.grants(Role.ADMIN)).isFalse();
        assertThat(Principal.ofJwt("x", null).mayAct(Role.VIEWER)).isFalse();
    }

    @Test
    void roleFromAClaim() {
        RoleMapping groups = new RoleMapping("groups", Map.of(Role.VIEWER, Set.of("staff"), Role.ADMIN, Set.of("pgpilot-admins")));
        assertThat(groups.role(Map.of("groups", List.of("staff", "pgpilot-admins")))).hasValue(Role.ADMIN);
        assertThat(groups.role(Map.of("groups", List.of("staff")))).hasValue(Role.VIEWER);
        assertThat(groups.role(Map.of("groups", List.of("other")))).isEmpty();
        assertThat(groups.role(Map.of())).isEmpty();
        assertThat(groups.role(Map.of("groups", "staff other"))).hasValue(Role.VIEWER);
        RoleMapping nested = new RoleMapping("realm_access.roles", Map.of(Role.OPERATOR, Set.of("ops")));
        assertThat(nested.role(Map.of("realm_access", Map.of("roles", List.of("ops"))))).hasValue(Role.OPERATOR);
        assertThat(nested.role(Map.of("realm_access", "ops"))).isEmpty();
    }

    @Test
    void jwtsGoToTheValidatorAndEverythingElseToTheEmbeddedTokens() throws Exception {
        Jwts jwts = new Jwts();
        JwtValidator validator = new JwtValidator(Jwts.ISSUER, Jwts.AUDIENCE, new ImmutableJWKSet<>(JWKSet.parse(jwts.jwks())),
                Duration.ofSeconds(30));
        RoleMapping mapping = new RoleMapping("groups", Map.of(Role.OPERATOR, Set.of("pgpilot-operators")));
        Authenticator both = new Authenticator(new StaticTokens(Map.of(Role.ADMIN, ADMIN)), validator, mapping);

        assertThat(both.authenticate(ADMIN)).isEqualTo(new Authenticator.Outcome.Authenticated(Principal.ofToken(Role.ADMIN)));
        assertThat(both.authenticate(jwts.rs256(Jwts.claims("alice", List.of("pgpilot-operators")).build())))
                .isEqualTo(new Authenticator.Outcome.Authenticated(Principal.ofJwt("alice", Role.OPERATOR)));
        assertThat(both.authenticate(jwts.rs256(Jwts.claims("bob", List.of("nobody")).build())))
                .isEqualTo(new Authenticator.Outcome.Authenticated(Principal.ofJwt("bob", null)));
        assertThat(both.authenticate(jwts.forged(Jwts.claims("eve", List.of("pgpilot-operators")).build())))
                .isInstanceOf(Authenticator.Outcome.Rejected.class);
        assertThat(both.authenticate("nope")).isInstanceOf(Authenticator.Outcome.Rejected.class);

        Authenticator tokensOnly = new Authenticator(new StaticTokens(Map.of(Role.ADMIN, ADMIN)), null, mapping);
        assertThat(tokensOnly.authenticate(jwts.rs256(Jwts.claims("alice", List.of()).build())))
                .isInstanceOf(Authenticator.Outcome.Rejected.class);
    }

    @Test
    void settingsNameTheMissingProperty() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AuthProperties(true,
                        new AuthProperties.Oidc("https://i/", null, java.net.URI.create("https://i/jwks"), null, null, null, null, null, null)))
                .hasMessageContaining("oidc.audience");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AuthProperties(true,
                        new AuthProperties.Oidc("https://i/", "a", null, null, null, null, null, null, null)))
                .hasMessageContaining("jwks-url / jwks-file");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AuthProperties(false, null))
                .hasMessageContaining("embedded-tokens=false");
        assertThat(new AuthProperties(null, null).embeddedTokens()).isTrue();
    }
}
