package io.pgpilot.instance.probe;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * One superuser connection to an instance, opened on first use and re-opened after the caller
 * dropped it (on any failure): the probe and the metrics collector each keep one.
 */
public final class KeptConnection implements AutoCloseable {

    private final String url;
    private final Properties properties;
    private Connection connection;

    public KeptConnection(String host, int port, Properties properties) {
        this.url = "jdbc:postgresql://" + host + ":" + port + "/postgres";
        this.properties = properties;
    }

    public Connection get() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = DriverManager.getConnection(url, properties);
            connection.setAutoCommit(true);
        }
        return connection;
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the connection is being dropped anyway
            }
            connection = null;
        }
    }
}
