package io.pgpilot.gateway.security;

import io.pgpilot.events.EventBus;
import io.pgpilot.support.PlatformProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

import java.nio.file.Path;

/** Wires the embedded tokens, the optional OIDC validator and the filter in front of every route. */
@Configuration
class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    @Bean
    Authenticator authenticator(PlatformProperties platform, AuthProperties auth) {
        StaticTokens tokens = null;
        if (auth.embeddedTokens()) {
            Path secrets = platform.home().resolve("secrets");
            TokenFiles.Loaded loaded = TokenFiles.ensure(secrets);
            tokens = new StaticTokens(loaded.tokens());
            log.info("API tokens (admin, operator, viewer): {} ({})", secrets.resolve(TokenFiles.PREFIX + "{admin,operator,viewer}"),
                    loaded.created().isEmpty() ? "existing" : "created " + loaded.created().size() + " now");
        }
        JwtValidator jwt = null;
        AuthProperties.Oidc oidc = auth.oidc();
        if (oidc.enabled()) {
            jwt = new JwtValidator(oidc.issuer(), oidc.audience(),
                    oidc.jwksUrl() != null ? JwtValidator.remoteKeys(oidc.jwksUrl()) : JwtValidator.fileKeys(oidc.jwksFile()),
                    oidc.clockSkew());
            log.info("OIDC access tokens accepted: issuer {}, audience {}, keys from {}, role from claim '{}'", oidc.issuer(),
                    oidc.audience(), oidc.jwksUrl() != null ? oidc.jwksUrl() : oidc.jwksFile(), oidc.roleClaim());
        }
        return new Authenticator(tokens, jwt, oidc.roleMapping());
    }

    @Bean
    AuditTrail auditTrail(EventBus bus) {
        return new AuditTrail(bus);
    }

    @Bean
    FilterRegistrationBean<AuthFilter> authFilter(Authenticator authenticator, AuditTrail audit) {
        FilterRegistrationBean<AuthFilter> registration = new FilterRegistrationBean<>(new AuthFilter(authenticator, audit));
        registration.addUrlPatterns("/*");
        // after the server observation filter (traces show refused calls too), before everything else
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }
}
