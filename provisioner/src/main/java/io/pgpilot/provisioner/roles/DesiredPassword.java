package io.pgpilot.provisioner.roles;

/** What a managed role's password should be, resolved from its secret by the adapter. */
public sealed interface DesiredPassword {

    /** No {@code passwordSecret}: whatever password the role has stays. */
    record Keep() implements DesiredPassword {
    }

    /** {@code disablePassword: true}: the role has no password. */
    record Disabled() implements DesiredPassword {
    }

    /** The password from the secret; toString hides it. */
    record Value(String password) implements DesiredPassword {
        @Override
        public String toString() {
            return "Value[***]";
        }
    }

    /** The secret cannot be used (missing, unreadable, wrong username): the role is not touched. */
    record Unavailable(String reason) implements DesiredPassword {
    }
}
