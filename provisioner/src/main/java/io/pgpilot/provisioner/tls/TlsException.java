package io.pgpilot.provisioner.tls;

/**
 * Certificates could not be created, read or written. A retry helps only when the cause is
 * transient I/O; an unreadable or mismatched user-supplied CA needs the operator.
 */
public final class TlsException extends RuntimeException {

    public TlsException(String message, Throwable cause) {
        super(message, cause);
    }

    public TlsException(String message) {
        super(message);
    }
}
