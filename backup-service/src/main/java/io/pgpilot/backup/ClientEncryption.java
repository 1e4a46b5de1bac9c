package io.pgpilot.backup;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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

    // ---- streams (base backups): chunked AES-256-GCM ------------------------------------------

    private static final byte[] STREAM_MAGIC = "PGPS".getBytes(StandardCharsets.US_ASCII);
    private static final int STREAM_HEADER = STREAM_MAGIC.length + 1 + 8 + 8;
    /** Plaintext per chunk: bounds the memory of both directions. */
    public static final int CHUNK = 1 << 20;

    /**
     * Encrypts a stream of any length without holding it: {@code "PGPS" 0x01 keyId(8) noncePrefix(8)},
     * then chunks of {@code length(4, ciphertext incl. tag) ciphertext}; chunk i is sealed with the
     * nonce {@code noncePrefix || i} and the additional data {@code aad || i || final}, the last chunk
     * being marked final (a truncated, reordered or spliced stream does not authenticate).
     */
    public OutputStream encrypting(OutputStream out, String aad) {
        byte[] prefix = new byte[8];
        RANDOM.nextBytes(prefix);
        byte[] ad = aad.getBytes(StandardCharsets.UTF_8);
        return new OutputStream() {
            private final byte[] buffer = new byte[CHUNK];
            private int filled;
            private int counter;
            private boolean headerWritten;
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    if (filled == buffer.length) {
                        seal(false);
                    }
                    int n = Math.min(len, buffer.length - filled);
                    System.arraycopy(b, off, buffer, filled, n);
                    filled += n;
                    off += n;
                    len -= n;
                }
            }

            private void seal(boolean last) throws IOException {
                if (!headerWritten) {
                    out.write(ByteBuffer.allocate(STREAM_HEADER).put(STREAM_MAGIC).put(VERSION).put(keyId).put(prefix).array());
                    headerWritten = true;
                }
                byte[] sealed = chunkCipher(Cipher.ENCRYPT_MODE, prefix, ad, counter++, last).doFinalUnchecked(buffer, filled);
                out.write(ByteBuffer.allocate(4).putInt(sealed.length).array());
                out.write(sealed);
                filled = 0;
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                seal(true);
                out.close();
            }
        };
    }

    /** Reads what {@link #encrypting} wrote; fails with {@link DecryptionException} on anything else. */
    public InputStream decrypting(InputStream in, String aad) {
        byte[] ad = aad.getBytes(StandardCharsets.UTF_8);
        return new InputStream() {
            private byte[] prefix;
            private byte[] chunk = new byte[0];
            private int pos;
            private int counter;
            private boolean last;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (pos == chunk.length) {
                    if (last) {
                        return -1;
                    }
                    next();
                }
                int n = Math.min(len, chunk.length - pos);
                System.arraycopy(chunk, pos, b, off, n);
                pos += n;
                return n;
            }

            private void next() throws IOException {
                if (prefix == null) {
                    byte[] header = in.readNBytes(STREAM_HEADER);
                    if (header.length < STREAM_HEADER || !Arrays.equals(header, 0, 4, STREAM_MAGIC, 0, 4) || header[4] != VERSION) {
                        throw new DecryptionException(DecryptionException.Reason.NOT_ENCRYPTED, "not a pgpilot-encrypted stream (format 1)");
                    }
                    if (!Arrays.equals(header, 5, 13, keyId, 0, 8)) {
                        throw new DecryptionException(DecryptionException.Reason.WRONG_KEY, "the stream was encrypted with another key");
                    }
                    prefix = Arrays.copyOfRange(header, 13, 21);
                }
                byte[] length = in.readNBytes(4);
                if (length.length < 4) {
                    throw new DecryptionException(DecryptionException.Reason.CORRUPT, "the stream is truncated (no final chunk)");
                }
                int size = ByteBuffer.wrap(length).getInt();
                if (size < TAG_BITS / 8 || size > CHUNK + TAG_BITS / 8) {
                    throw new DecryptionException(DecryptionException.Reason.CORRUPT, "corrupt chunk length");
                }
                byte[] sealed = in.readNBytes(size);
                if (sealed.length < size) {
                    throw new DecryptionException(DecryptionException.Reason.CORRUPT, "the stream is truncated");
                }
                // the final flag is authenticated: try "not final" first, then "final"
                byte[] plain = chunkCipher(Cipher.DECRYPT_MODE, prefix, ad, counter, false).tryDoFinal(sealed);
                if (plain == null) {
                    plain = chunkCipher(Cipher.DECRYPT_MODE, prefix, ad, counter, true).tryDoFinal(sealed);
                    if (plain == null) {
                        throw new DecryptionException(DecryptionException.Reason.CORRUPT, "chunk " + counter + " does not authenticate");
                    }
                    last = true;
                    if (in.read() != -1) {
                        throw new DecryptionException(DecryptionException.Reason.CORRUPT, "data after the final chunk");
                    }
                }
                counter++;
                chunk = plain;
                pos = 0;
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }

    private record ChunkCipher(Cipher cipher) {
        byte[] doFinalUnchecked(byte[] data, int length) {
            try {
                return cipher.doFinal(data, 0, length);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM unavailable", e);
            }
        }

        byte[] tryDoFinal(byte[] sealed) {
            try {
                return cipher.doFinal(sealed);
            } catch (AEADBadTagException e) {
                return null;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM unavailable", e);
            }
        }
    }

    private ChunkCipher chunkCipher(int mode, byte[] prefix, byte[] ad, int counter, boolean last) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            byte[] nonce = ByteBuffer.allocate(NONCE_BYTES).put(prefix).putInt(counter).array();
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(ad);
            cipher.updateAAD(ByteBuffer.allocate(5).putInt(counter).put((byte) (last ? 1 : 0)).array());
            return new ChunkCipher(cipher);
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
