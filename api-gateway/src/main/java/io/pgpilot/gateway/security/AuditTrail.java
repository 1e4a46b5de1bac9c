package io.pgpilot.gateway.security;

import io.pgpilot.events.EventBus;
import io.pgpilot.events.PlatformEvent;
import io.pgpilot.events.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every mutating API call, allowed or refused, as an {@code io.pgpilot.audit.request} event on
 * {@code pgpilot.cluster.events} (subject: the cluster when the path or the created resource names
 * one). Holds who, what and the answer; never a token, a header or a body.
 */
public class AuditTrail {

    public static final String TYPE = "audit.request";
    private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);

    /** One call: {@code actor} is {@code token:<role>}, {@code jwt:<subject>} or {@code anonymous}. */
    public record Entry(String actor, String role, String method, String route, String path, String cluster, int status,
                        String outcome, Instant at) {

        Map<String, Object> data() {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("actor", actor);
            if (role != null) {
                data.put("role", role);
            }
            data.put("method", method);
            data.put("route", route);
            data.put("path", path);
            data.put("status", status);
            data.put("outcome", outcome);
            data.put("requestedAt", at.toString());
            data.put("message", actor + " " + method + " " + path + " -> " + status);
            return data;
        }
    }

    private final EventBus bus;

    public AuditTrail(EventBus bus) {
        this.bus = bus;
    }

    public void record(Entry entry) {
        try {
            bus.publish(Topics.EVENTS, entry.cluster(),
                    PlatformEvent.of("api-gateway", TYPE, entry.cluster(), null, entry.data()));
        } catch (EventBus.PublishException e) {
            log.warn("cluster={} audit event for {} {} ({}) not published: {}", entry.cluster(), entry.method(), entry.route(),
                    entry.status(), e.getMessage());
        }
    }
}
