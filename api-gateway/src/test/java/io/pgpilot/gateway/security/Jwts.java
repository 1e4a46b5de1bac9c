package io.pgpilot.gateway.security;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Real signed JWTs for tests: an RSA and an EC key of "the provider", and an attacker's RSA key with the same key id. */
final class Jwts {

    static final String ISSUER = "https://auth.example.test/application/o/pgpilot/";
    static final String AUDIENCE = "pgpilot-client";

    final RSAKey rsa;
    final ECKey ec;
    final RSAKey forger;

    Jwts() throws Exception {
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        forger = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    }

    /** The provider's public keys as a JWKS document. */
    String jwks() {
        return new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK())).toString();
    }

    Path jwksFile(Path dir) throws Exception {
        Path file = dir.resolve("jwks.json");
        Files.writeString(file, jwks());
        return file;
    }

    static JWTClaimsSet.Builder claims(String subject, List<String> groups) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject(subject).issueTime(Date.from(now))
                .notBeforeTime(Date.from(now.minusSeconds(5))).expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
                .claim("groups", groups);
    }

    String rs256(JWTClaimsSet claims) throws Exception {
        return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).type(JOSEObjectType.JWT).build(), claims,
                new RSASSASigner(rsa));
    }

    String es256(JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ec.getKeyID()).build(), claims);
        jwt.sign(new ECDSASigner(ec));
        return jwt.serialize();
    }

    /** Signed with another key that claims the provider's key id. */
    String forged(JWTClaimsSet claims) throws Exception {
        return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).build(), claims, new RSASSASigner(forger));
    }

    /** HS256 keyed with the provider's public modulus: the classic algorithm confusion. */
    String hs256(JWTClaimsSet claims) throws Exception {
        byte[] secret = rsa.toRSAPublicKey().getModulus().toByteArray();
        return sign(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(rsa.getKeyID()).build(), claims, new MACSigner(secret));
    }

    static String none(JWTClaimsSet claims) {
        return new PlainJWT(claims).serialize();
    }

    private static String sign(JWSHeader header, JWTClaimsSet claims, com.nimbusds.jose.JWSSigner signer) throws Exception {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(signer);
        return jwt.serialize();
    }
}
