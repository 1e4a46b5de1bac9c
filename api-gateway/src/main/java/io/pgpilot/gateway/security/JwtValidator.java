package io.pgpilot.gateway.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Validates an OIDC access token (a signed JWT): RS256 or ES256 only (so {@code alg: none} and
 * HMAC are refused), signature by a key of the provider's JWKS (URL, cached, or file), {@code iss}
 * equal to the issuer, {@code aud} containing the audience, {@code exp} in the future and
 * {@code nbf} in the past (with a clock skew), {@code sub} present.
 */
public final class JwtValidator {

    /** The token is not acceptable; {@code reason} is safe to show (no token, no key). */
    public static final class InvalidToken extends Exception {
        public InvalidToken(String reason) {
            super(reason);
        }
    }

    /** The provider's keys could not be read: a retry may help. */
    public static final class KeysUnavailable extends Exception {
        public KeysUnavailable(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    /** A valid token's subject and claims. */
    public record Claims(String subject, Map<String, Object> all) {
    }

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    public JwtValidator(String issuer, String audience, JWKSource<SecurityContext> keys, Duration clockSkew) {
        // typ JWT, at+jwt (RFC 9068) or none
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(
                new java.util.HashSet<>(java.util.Arrays.asList(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null))));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                new java.util.HashSet<>(Set.of(audience)), // nimbus asks contains(null): a null-tolerant set
                new JWTClaimsSet.Builder().issuer(issuer).build(), new java.util.HashSet<>(Set.of("sub", "exp")), new java.util.HashSet<>());
        claims.setMaxClockSkew((int) clockSkew.toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    /** Keys from the provider's JWKS URL (fetched on first use, cached, refreshed on an unknown key id). */
    public static JWKSource<SecurityContext> remoteKeys(URI jwksUrl) {
        try {
            return JWKSourceBuilder.<SecurityContext>create(jwksUrl.toURL(), new DefaultResourceRetriever(3000, 3000, 512 * 1024))
                    .retrying(true).build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("pgpilot.gateway.auth.oidc.jwks-url: " + e.getMessage(), e);
        }
    }

    /** Keys from a JWKS file (public parts only are kept). */
    public static JWKSource<SecurityContext> fileKeys(Path jwksFile) {
        try {
            return new ImmutableJWKSet<>(JWKSet.load(jwksFile.toFile()).toPublicJWKSet());
        } catch (IOException | ParseException e) {
            throw new IllegalArgumentException("pgpilot.gateway.auth.oidc.jwks-file: cannot read a JWK set from " + jwksFile
                    + ": " + e.getMessage(), e);
        }
    }

    public Claims validate(String token) throws InvalidToken, KeysUnavailable {
        try {
            JWTClaimsSet claims = processor.process(token, null);
            return new Claims(claims.getSubject(), claims.getClaims());
        } catch (ParseException e) {
            throw new InvalidToken("not a well-formed JWT");
        } catch (BadJOSEException e) {
            throw new InvalidToken(e.getMessage());
        } catch (KeySourceException e) {
            throw new KeysUnavailable("the identity provider's keys (JWKS) could not be read", e);
        } catch (JOSEException e) {
            throw new InvalidToken("the signature could not be verified");
        }
    }
}
