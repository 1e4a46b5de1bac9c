package io.pgpilot.gateway.security;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real validator (nimbus) against real signed tokens made with generated keys. */
class JwtValidatorTest {

    final Jwts jwts;
    final JwtValidator validator;

    JwtValidatorTest() throws Exception {
        jwts = new Jwts();
        validator = new JwtValidator(Jwts.ISSUER, Jwts.AUDIENCE, new ImmutableJWKSet<>(JWKSet.parse(jwts.jwks())), Duration.ofSeconds(30));
    }

    @Test
    void acceptsRs256AndEs256FromTheProvider() throws Exception {
        var rsa = validator.validate(jwts.rs256(Jwts.claims("alice", List.of("pgpilot-admins")).build()));
        assertThat(rsa.subject()).isEqualTo("alice");
        assertThat(rsa.all().get("groups")).isEqualTo(List.of("pgpilot-admins"));
        assertThat(validator.validate(jwts.es256(Jwts.claims("bob", List.of()).build())).subject()).isEqualTo("bob");
    }

    @Test
    void keysFromAJwksFile() throws Exception {
        java.nio.file.Path file = jwts.jwksFile(java.nio.file.Files.createTempDirectory("jwks"));
        JwtValidator fromFile = new JwtValidator(Jwts.ISSUER, Jwts.AUDIENCE, JwtValidator.fileKeys(file), Duration.ofSeconds(30));
        assertThat(fromFile.validate(jwts.es256(Jwts.claims("carol", List.of()).build())).subject()).isEqualTo("carol");
        assertThatThrownBy(() -> JwtValidator.fileKeys(file.resolveSibling("missing.json")))
                .hasMessageContaining("pgpilot.gateway.auth.oidc.jwks-file");
    }

    @Test
    void refusesForgedUnsignedAndConfusedAlgorithms() throws Exception {
        var claims = Jwts.claims("mallory", List.of("pgpilot-admins")).build();
        assertRefused(jwts.forged(claims), "signature");
        assertRefused(Jwts.none(claims), "");
        assertRefused(jwts.hs256(claims), "");
        String good = jwts.rs256(claims);
        String tampered = good.substring(0, good.indexOf('.') + 1)
                + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                Jwts.claims("mallory", List.of("x")).build().toString().getBytes()) + good.substring(good.lastIndexOf('.'));
        assertRefused(tampered, "signature");
        assertRefused("not.a.jwt", "");
    }

    @Test
    void refusesWrongIssuerAudienceAndTimes() throws Exception {
        assertRefused(jwts.rs256(Jwts.claims("a", List.of()).issuer("https://evil.example.test/").build()), "iss");
        assertRefused(jwts.rs256(Jwts.claims("a", List.of()).audience("another-client").build()), "aud");
        Instant past = Instant.now().minus(Duration.ofHours(1));
        assertRefused(jwts.rs256(Jwts.claims("a", List.of()).expirationTime(Date.from(past)).build()), "Expired");
        Instant future = Instant.now().plus(Duration.ofHours(1));
        assertRefused(jwts.rs256(Jwts.claims("a", List.of()).notBeforeTime(Date.from(future)).build()), "before");
        assertRefused(jwts.rs256(Jwts.claims(null, List.of()).build()), "sub");
    }

    private void assertRefused(String token, String reasonPart) {
        assertThatThrownBy(() -> validator.validate(token)).isInstanceOf(JwtValidator.InvalidToken.class)
                .hasMessageContaining(reasonPart);
    }
}
