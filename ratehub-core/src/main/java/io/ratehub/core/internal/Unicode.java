package io.ratehub.core.internal;

/**
 * Checks for text that cannot be written as UTF-8: a lone UTF-16 surrogate can be neither sent in a WebSocket text
 * frame nor stored as valid UTF-8, so it must never enter the hub. Stateless and thread-safe.
 */
public final class Unicode {
    private Unicode() {
    }

    /**
     * {@code s} with each lone UTF-16 surrogate written as the six characters {@code \\uXXXX}, so that it can be
     * echoed in a message to a client (the rest, pairs included, unchanged); {@code s} itself when well-formed.
     */
    public static String escapeLoneSurrogates(String s) {
        if (s == null || loneSurrogate(s) < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length() + 10);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The index of the first lone UTF-16 surrogate in {@code s}, or -1 when it is well-formed. */
    public static int loneSurrogate(CharSequence s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++; // a pair
                continue;
            }
            return i;
        }
        return -1;
    }
}
