package io.pgpilot.provisioner.roles;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.text.Normalizer;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Whether a stored PostgreSQL password verifier ({@code pg_authid.rolpassword}) is the verifier of a
 * given password, so that a managed role's password is set again only when its secret changed.
 * SCRAM-SHA-256 ({@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>}, RFC 5802/7677;
 * the password normalised with NFKC as SASLprep does for ordinary text) and legacy md5. Pure.
 */
public final class PasswordVerifier {

    private PasswordVerifier() {
    }

    public static boolean matches(String verifier, String role, String password) {
        if (verifier == null || password == null) {
            return false;
        }
        try {
            if (verifier.startsWith("SCRAM-SHA-256$")) {
                return scram(verifier, password);
            }
            if (verifier.startsWith("md5") && verifier.length() == 35) {
                byte[] digest = MessageDigest.getInstance("MD5").digest((password + role).getBytes(StandardCharsets.UTF_8));
                return MessageDigest.isEqual(("md5" + HexFormat.of().formatHex(digest)).getBytes(StandardCharsets.US_ASCII),
                        verifier.getBytes(StandardCharsets.US_ASCII));
            }
            return false;
        } catch (GeneralSecurityException | IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            return false; // an unreadable verifier: set the password again
        }
    }

    private static boolean scram(String verifier, String password) throws GeneralSecurityException {
        String[] parts = verifier.substring("SCRAM-SHA-256$".length()).split("\\$");
        String[] iterationsAndSalt = parts[0].split(":");
        String[] keys = parts[1].split(":");
        int iterations = Integer.parseInt(iterationsAndSalt[0]);
        if (iterations < 1 || iterations > 10_000_000) {
            return false;
        }
        byte[] salt = Base64.getDecoder().decode(iterationsAndSalt[1]);
        byte[] storedKey = Base64.getDecoder().decode(keys[0]);
        String prepared = Normalizer.normalize(password, Normalizer.Form.NFKC);
        PBEKeySpec spec = new PBEKeySpec(prepared.toCharArray(), salt, iterations, 256);
        byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        spec.clearPassword();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salted, "HmacSHA256"));
        byte[] clientKey = mac.doFinal("Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] computed = MessageDigest.getInstance("SHA-256").digest(clientKey);
        return MessageDigest.isEqual(computed, storedKey);
    }
}
