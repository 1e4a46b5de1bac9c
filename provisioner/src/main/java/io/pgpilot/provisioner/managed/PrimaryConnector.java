package io.pgpilot.provisioner.managed;

import io.pgpilot.events.InstanceRecord;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens a superuser connection to a database of a cluster's primary (the backend knows how to reach it). */
@FunctionalInterface
public interface PrimaryConnector {
    Connection connect(String cluster, InstanceRecord primary, String database) throws SQLException;
}
