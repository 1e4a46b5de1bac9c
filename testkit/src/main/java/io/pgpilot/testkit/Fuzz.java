package io.pgpilot.testkit;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A small seeded, property-based fuzzer for the parsers of outside input: a generator draws inputs
 * from a {@link SplittableRandom}, a property must hold for each. Deterministic (fixed seed) and
 * bounded in the normal suite; {@code -Dpgpilot.fuzz.tries=N} and {@code -Dpgpilot.fuzz.seed=S}
 * make longer or different runs (docs/security.md). A failure names the seed, the try and the
 * input (escaped), so it replays exactly.
 */
public final class Fuzz {

    public static final String PRINTABLE = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
    private static final String SPECIAL = "\u0000\u0001\n\r\t\u007f\u0085\u00a0\u2028\u2029\ufeff\ufffe\ud800\udc00é€😀";

    private Fuzz() {
    }

    public static int tries() {
        return Integer.getInteger("pgpilot.fuzz.tries", 1000);
    }

    public static long seed() {
        return Long.getLong("pgpilot.fuzz.seed", 20261201L);
    }

    /** Runs {@code property} on {@link #tries()} inputs from {@code generator}. */
    public static void check(String name, Function<SplittableRandom, String> generator, Consumer<String> property) {
        SplittableRandom random = new SplittableRandom(seed() ^ name.hashCode());
        for (int i = 0; i < tries(); i++) {
            String input = generator.apply(random);
            try {
                property.accept(input);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(name + " failed at try " + i + " (seed " + seed() + ") for input \"" + escape(input) + "\": " + e,
                        e);
            }
        }
    }

    /** Up to {@code maxLength} characters from {@code alphabet}. */
    public static String string(SplittableRandom random, String alphabet, int maxLength) {
        int length = random.nextInt(maxLength + 1);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    /** Anything: mostly printable ASCII, with control characters, separators, BOM, lone surrogates and non-BMP mixed in. */
    public static String any(SplittableRandom random, int maxLength) {
        int length = random.nextInt(maxLength + 1);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(10);
            if (kind < 7) {
                out.append(PRINTABLE.charAt(random.nextInt(PRINTABLE.length())));
            } else if (kind < 9) {
                out.append(SPECIAL.charAt(random.nextInt(SPECIAL.length())));
            } else {
                out.append((char) random.nextInt(Character.MAX_VALUE + 1));
            }
        }
        return out.toString();
    }

    @SafeVarargs
    public static <T> T oneOf(SplittableRandom random, T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    /** {@code base} with a span of up to {@code maxCut} characters replaced by {@code noise}. */
    public static String mutate(SplittableRandom random, String base, int maxCut, String noise) {
        int at = random.nextInt(base.length() + 1);
        int end = Math.min(base.length(), at + random.nextInt(maxCut + 1));
        return base.substring(0, at) + noise + base.substring(end);
    }

    public static String escape(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
