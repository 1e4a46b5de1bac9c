package io.pgpilot.gateway.security;

import io.pgpilot.events.Json;
import io.pgpilot.model.Names;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's front door, before any controller or actuator endpoint: plain paths only, a
 * bearer token on every route but health, the role the {@link AccessPolicy} asks for; 401 / 403 /
 * 400 / 503 with the API's JSON error body and a {@code WWW-Authenticate} header. Every mutating
 * call is then written to the {@link AuditTrail} with its status.
 */
public class AuthFilter extends OncePerRequestFilter {

    /** Request attribute holding the caller's {@link Principal}. */
    public static final String PRINCIPAL = AuthFilter.class.getName() + ".principal";
    static final String REALM = "Bearer realm=\"pgpilot\"";

    private final Authenticator authenticator;
    private final AuditTrail audit;

    public AuthFilter(Authenticator authenticator, AuditTrail audit) {
        this.authenticator = authenticator;
        this.audit = audit;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String method = request.getMethod().toUpperCase(Locale.ROOT);
        String path = request.getRequestURI();
        Instant at = Instant.now();
        Principal principal = null;
        String outcome = "refused";
        boolean failed = true;
        try {
            Optional<String> unsafe = AccessPolicy.unsafePath(path);
            if (unsafe.isPresent()) {
                refuse(response, HttpServletResponse.SC_BAD_REQUEST, null, unsafe.get());
                failed = false;
                return;
            }
            if (!(AccessPolicy.required(method, path) instanceof AccessPolicy.Access.Requires(Role required))) {
                chain.doFilter(request, response);
                failed = false;
                return;
            }
            switch (BearerToken.parse(request.getHeader(HttpHeaders.AUTHORIZATION))) {
                case BearerToken.Missing() -> {
                    outcome = "unauthenticated";
                    refuse(response, 401, REALM, "authentication required: send 'Authorization: Bearer <token>' "
                            + "(an API token of the platform home's secrets/, or an access token of the OIDC provider)");
                }
                case BearerToken.Malformed(String reason) -> {
                    outcome = "unauthenticated";
                    refuse(response, 401, REALM + ", error=\"invalid_request\"", reason);
                }
                case BearerToken.Presented(String token) -> {
                    switch (authenticator.authenticate(token)) {
                        case Authenticator.Outcome.Rejected(String reason) -> {
                            outcome = "unauthenticated";
                            refuse(response, 401, REALM + ", error=\"invalid_token\"", reason);
                        }
                        case Authenticator.Outcome.Unavailable(String reason) -> {
                            outcome = "unavailable";
                            refuse(response, 503, null, reason);
                        }
                        case Authenticator.Outcome.Authenticated(Principal who) -> {
                            principal = who;
                            if (!who.mayAct(required)) {
                                outcome = "forbidden";
                                refuse(response, 403, REALM + ", error=\"insufficient_scope\", scope=\"" + required.id() + "\"",
                                        (who.role() == null ? who.name() + " has no pgpilot role (see the OIDC group mapping)"
                                                : "role " + who.role().id() + " may not " + method + " " + Names.printable(path))
                                                + "; requires " + required.id());
                            } else {
                                outcome = "allowed";
                                request.setAttribute(PRINCIPAL, who);
                                chain.doFilter(request, response);
                            }
                        }
                    }
                }
            }
            failed = false;
        } finally {
            if (AccessPolicy.mutating(method)) {
                record(request, response, method, path, principal, outcome, failed, at);
            }
        }
    }

    private void record(HttpServletRequest request, HttpServletResponse response, String method, String path,
                        Principal principal, String outcome, boolean failed, Instant at) {
        int status = failed ? 500 : response.getStatus();
        if (!failed) {
            try {
                response.flushBuffer(); // the caller has its answer before the audit is published
            } catch (IOException e) {
                // the client went away; the call is audited all the same
            }
        }
        Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
        String cluster = AccessPolicy.cluster(path)
                .or(() -> Optional.ofNullable(response.getHeader(HttpHeaders.LOCATION)).flatMap(AccessPolicy::cluster))
                .orElse(null);
        audit.record(new AuditTrail.Entry(principal == null ? "anonymous" : principal.name(),
                principal == null || principal.role() == null ? null : principal.role().id(), method,
                pattern instanceof String p ? p : Names.printable(path), Names.printable(path), cluster, status,
                outcome, at));
    }

    private static void refuse(HttpServletResponse response, int status, String challenge, String message) throws IOException {
        response.setStatus(status);
        if (challenge != null) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, challenge);
        }
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("violations", List.of());
        response.getWriter().write(Json.write(body));
    }
}
