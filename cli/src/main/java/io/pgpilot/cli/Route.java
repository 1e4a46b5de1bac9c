package io.pgpilot.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every gateway route the CLI calls, with the success status it expects. The commands build their
 * paths only from here, and a system test checks each one (and its error body) against the
 * gateway's OpenAPI description, so the two cannot drift apart.
 */
public enum Route {
    LIST_CLUSTERS("GET", "/api/v1/clusters", 200),
    CREATE_CLUSTER("POST", "/api/v1/clusters", 201),
    GET_CLUSTER("GET", "/api/v1/clusters/{name}", 200),
    UPDATE_CLUSTER("PUT", "/api/v1/clusters/{name}", 200),
    DELETE_CLUSTER("DELETE", "/api/v1/clusters/{name}", 202),
    RESTART("POST", "/api/v1/clusters/{name}/restart", 202),
    SWITCHOVER("POST", "/api/v1/clusters/{cluster}/switchover", 202),
    PROMOTE("POST", "/api/v1/clusters/{cluster}/instances/{instance}/promote", 202),
    FENCE("POST", "/api/v1/clusters/{cluster}/instances/{instance}/fence", 202),
    UNFENCE("POST", "/api/v1/clusters/{cluster}/instances/{instance}/unfence", 202),
    START_BACKUP("POST", "/api/v1/clusters/{cluster}/backups", 202),
    LIST_BACKUPS("GET", "/api/v1/clusters/{cluster}/backups", 200),
    GET_BACKUP("GET", "/api/v1/clusters/{cluster}/backups/{backupId}", 200),
    ARCHIVING("GET", "/api/v1/clusters/{cluster}/archiving", 200),
    RESTORE("POST", "/api/v1/clusters/{cluster}/restore", 201),
    LIST_POOLERS("GET", "/api/v1/poolers", 200),
    CREATE_POOLER("POST", "/api/v1/poolers", 201),
    UPDATE_POOLER("PUT", "/api/v1/poolers/{name}", 200),
    DELETE_POOLER("DELETE", "/api/v1/poolers/{name}", 202),
    CREATE_SCHEDULED_BACKUP("POST", "/api/v1/scheduledbackups", 201),
    UPDATE_SCHEDULED_BACKUP("PUT", "/api/v1/scheduledbackups/{name}", 200),
    DELETE_SCHEDULED_BACKUP("DELETE", "/api/v1/scheduledbackups/{name}", 200),
    CREATE_BACKUP_OBJECT("POST", "/api/v1/backups", 201),
    GET_BACKUP_OBJECT("GET", "/api/v1/backups/{name}", 200),
    EVENTS("GET", "/api/v1/events", 200);

    private static final Pattern VARIABLE = Pattern.compile("\\{[a-zA-Z]+}");

    public final String method;
    public final String template;
    public final int success;

    Route(String method, String template, int success) {
        this.method = method;
        this.template = template;
        this.success = success;
    }

    /** The template with its variables filled in order (each URL-encoded: a name never changes the path). */
    public String path(String... values) {
        if (VARIABLE.matcher(template).results().count() != values.length) {
            throw new IllegalArgumentException(template + " takes " + VARIABLE.matcher(template).results().count() + " values, not " + values.length);
        }
        Matcher m = VARIABLE.matcher(template);
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(URLEncoder.encode(values[i++], StandardCharsets.UTF_8)));
        }
        m.appendTail(out);
        return out.toString();
    }
}
