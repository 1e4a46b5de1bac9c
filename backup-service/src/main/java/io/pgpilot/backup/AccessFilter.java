package io.pgpilot.backup;

import io.pgpilot.support.PlatformProperties;
import io.pgpilot.support.security.ServiceTokens;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Enforces {@link AccessPolicy}: 401 without a bearer token, 403 with one that does not open the
 * resource (another cluster's token, an unknown token). Tokens are read from the secret files at
 * each request (rotation = replace the file) and never logged.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class AccessFilter extends OncePerRequestFilter {

    private static final Logger log = LoggerFactory.getLogger(AccessFilter.class);

    private final ServiceTokens tokens;

    AccessFilter(PlatformProperties platform) {
        this.tokens = new ServiceTokens(platform.home());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        // the container's decoded, normalized path (what the controllers are matched against), not the raw URI
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        AccessPolicy.Requirement requirement = AccessPolicy.of(path);
        if (requirement instanceof AccessPolicy.Open) {
            chain.doFilter(request, response);
            return;
        }
        if (requirement instanceof AccessPolicy.BadName bad) {
            refuse(response, 400, bad.reason());
            return;
        }
        String presented = ServiceTokens.bearer(request.getHeader("Authorization"));
        if (presented == null) {
            response.setHeader("WWW-Authenticate", "Bearer");
            refuse(response, 401, "a bearer token is required (Authorization: Bearer <token>)");
            return;
        }
        boolean allowed = switch (requirement) {
            case AccessPolicy.ClusterToken c -> tokens.existingCluster(c.cluster()).map(t -> ServiceTokens.matches(t, presented)).orElse(false);
            case AccessPolicy.InternalToken i -> tokens.existingInternal().map(t -> ServiceTokens.matches(t, presented)).orElse(false);
            default -> false;
        };
        if (!allowed) {
            log.warn("refused {} {} from {}: the token does not grant it", request.getMethod(), io.pgpilot.model.Names.printable(path),
                    request.getRemoteAddr());
            refuse(response, 403, "this token does not grant " + request.getMethod() + " " + io.pgpilot.model.Names.printable(path));
            return;
        }
        chain.doFilter(request, response);
    }

    private static void refuse(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        String body = "{\"status\":" + status + ",\"error\":" + io.pgpilot.events.Json.write(message) + "}";
        response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    }
}
