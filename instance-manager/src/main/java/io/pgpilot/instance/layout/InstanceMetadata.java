package io.pgpilot.instance.layout;

/** What pgpilot persists next to an instance ({@code instance.json}) so a restart keeps its port. */
public record InstanceMetadata(String cluster, String instance, int ordinal, int port) {
}
