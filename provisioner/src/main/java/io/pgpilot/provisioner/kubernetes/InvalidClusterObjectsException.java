package io.pgpilot.provisioner.kubernetes;

/** An input the renderer refuses; names the field. Retrying the same input never helps. Never carries a secret value. */
public final class InvalidClusterObjectsException extends IllegalArgumentException {

    private final String field;

    public InvalidClusterObjectsException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
