package io.pgpilot.backup;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientEncryptionTest {

    private static byte[] key(int seed) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) seed);
        return key;
    }

    @Test
    void roundTripsWithTheDocumentedFormat() {
        ClientEncryption crypto = new ClientEncryption(key(1));
        byte[] plain = "PLAINTEXT-MARKER ".repeat(100).getBytes(StandardCharsets.US_ASCII);
        byte[] sealed = crypto.encrypt(plain, "000000010000000000000001");
        assertThat(sealed).startsWith('P', 'G', 'P', 'E', 1);
        assertThat(sealed.length).isEqualTo(4 + 1 + 8 + 12 + plain.length + 16);
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("PLAINTEXT-MARKER");
        assertThat(crypto.decrypt(sealed, "000000010000000000000001")).isEqualTo(plain);
        assertThat(crypto.encrypt(plain, "x")).isNotEqualTo(crypto.encrypt(plain, "x")); // fresh nonce
    }

    @Test
    void wrongKeyRenamedObjectAndTamperingAreRefused() {
        ClientEncryption crypto = new ClientEncryption(key(1));
        byte[] sealed = crypto.encrypt(new byte[100], "000000010000000000000001");
        assertThatThrownBy(() -> new ClientEncryption(key(2)).decrypt(sealed, "000000010000000000000001"))
                .isInstanceOfSatisfying(ClientEncryption.DecryptionException.class,
                        e -> assertThat(e.reason()).isEqualTo(ClientEncryption.DecryptionException.Reason.WRONG_KEY));
        assertThatThrownBy(() -> crypto.decrypt(sealed, "000000010000000000000002"))
                .isInstanceOfSatisfying(ClientEncryption.DecryptionException.class,
                        e -> assertThat(e.reason()).isEqualTo(ClientEncryption.DecryptionException.Reason.CORRUPT));
        sealed[sealed.length - 20] ^= 1;
        assertThatThrownBy(() -> crypto.decrypt(sealed, "000000010000000000000001"))
                .isInstanceOf(ClientEncryption.DecryptionException.class);
        assertThatThrownBy(() -> crypto.decrypt(new byte[64], "x")).isInstanceOfSatisfying(ClientEncryption.DecryptionException.class,
                e -> assertThat(e.reason()).isEqualTo(ClientEncryption.DecryptionException.Reason.NOT_ENCRYPTED));
    }

    @Test
    void keysMustBe32BytesAndAreNeverShown() {
        assertThatThrownBy(() -> new ClientEncryption(new byte[16])).isInstanceOf(IllegalArgumentException.class);
        ClientEncryption crypto = new ClientEncryption(key(0x41));
        assertThat(crypto.toString()).doesNotContain("AAAA").contains(crypto.keyId());
        assertThat(crypto.mac(new byte[] {1})).hasSize(64).isEqualTo(crypto.mac(new byte[] {1}));
        assertThat(crypto.mac(new byte[] {1})).isNotEqualTo(new ClientEncryption(key(2)).mac(new byte[] {1}));
    }
}
