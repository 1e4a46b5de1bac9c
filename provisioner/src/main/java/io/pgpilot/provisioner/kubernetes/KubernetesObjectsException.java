package io.pgpilot.provisioner.kubernetes;

/**
 * The API server refused or failed an operation on one object. The message names the object, the
 * verb and the HTTP code only: never a request body (a Secret's values) nor the server's text about
 * it, and the client's exception is not kept as the cause for the same reason.
 *
 * @param retryable true for a conflict (409), throttling (429), a server error (5xx) or no answer: the next pass may succeed
 */
public final class KubernetesObjectsException extends RuntimeException {

    private final int code;
    private final boolean retryable;

    public KubernetesObjectsException(String cluster, String verb, String kind, String name, int code) {
        super("cluster=" + cluster + ": " + verb + " " + kind + " " + name + " failed (HTTP " + (code == 0 ? "no answer" : code) + ")",
                null, false, true);
        this.code = code;
        this.retryable = code == 0 || code == 409 || code == 429 || code >= 500;
    }

    public int code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }
}
