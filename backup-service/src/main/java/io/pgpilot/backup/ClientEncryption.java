package io.pgpilot.backup;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Client-side encryption of archived objects with AES-256-GCM and a 32-byte key from a secret.
 * Object format (all of it is the object body; applied after compression):
 * <pre>
 *   "PGPE"        4 bytes magic
 *   0x01          1 byte format version
 *   key id        8 bytes: first 8 bytes of SHA-256(key), to tell a wrong key from a corrupt object
 *   nonce        12 bytes, random per object
 *   ciphertext    n bytes
 *   tag          16 bytes (GCM)
 * </pre>
 * The additional authenticated data is the WAL file name, so an object cannot be passed off under
 * another name. The key never leaves this class; {@link #toString} hides it.
 */
public final class ClientEncryption {

    public static final int KEY_BYTES = 32;
    private static final byte[] MAGIC = "PGPE".getBytes(StandardCharsets.US_ASCII);
    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int HEADER = MAGIC.length + 1 + 8 + NONCE_BYTES;
    private static final SecureRandom RANDOM = new SecureRandom();

    public static final class DecryptionException extends RuntimeException {
        public enum Reason { NOT_ENCRYPTED, WRONG_KEY, CORRUPT }

        private final Reason reason;

        DecryptionException(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    private final SecretKeySpec key;
    private final byte[] keyId;

    public ClientEncryption(byte[] keyBytes) {
        if (keyBytes == null || keyBytes.length != KEY_BYTES) {
            throw new IllegalArgumentException("a client-side encryption key must be " + KEY_BYTES + " bytes");
        }
        this.key = new SecretKeySpec(keyBytes.clone(), "AES");
        this.keyId = Arrays.copyOf(sha256(keyBytes), 8);
    }

    /** The key id as hex (safe to log: a hash prefix, not the key). */
    public String keyId() {
        return HexFormat.of().formatHex(keyId);
    }

    public static boolean looksEncrypted(byte[] object) {
        return object.length >= HEADER && Arrays.equals(object, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    public byte[] encrypt(byte[] plain, String aad) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(HEADER + sealed.length).put(MAGIC).put(VERSION).put(keyId).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    public byte[] decrypt(byte[] object, String aad) {
        if (!looksEncrypted(object) || object[MAGIC.length] != VERSION) {
            throw new DecryptionException(DecryptionException.Reason.NOT_ENCRYPTED, "not a pgpilot-encrypted object (format 1)");
        }
        if (!Arrays.equals(object, MAGIC.length + 1, MAGIC.length + 9, keyId, 0, 8)) {
            throw new DecryptionException(DecryptionException.Reason.WRONG_KEY, "the object was encrypted with another key");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, object, MAGIC.length + 9, NONCE_BYTES));
            cipher.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(object, HEADER, object.length - HEADER);
        } catch (AEADBadTagException e) {
            throw new DecryptionException(DecryptionException.Reason.CORRUPT, "the object does not authenticate (corrupt or renamed)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** A keyed checksum of the plaintext (stored as metadata of encrypted objects instead of a plain hash). */
    public String mac(byte[] plain) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(sha256(("pgpilot-mac" + keyId()).getBytes(StandardCharsets.UTF_8), key.getEncoded()), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(plain));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(part);
            }
            return digest.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "ClientEncryption[keyId=" + keyId() + "]";
    }
}
